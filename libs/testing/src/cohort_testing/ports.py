"""A TCP port on the loopback that nothing is listening on, for a server a test starts."""

import os
import socket
import threading

#: ``low-high``: take ports from this range only. The test runner gives each of the test
#: processes it runs at once a range of its own below the kernel's ephemeral ports, so two of
#: them never hand out the same port, and no outgoing connection takes one in between.
RANGE_ENV = "COHORT_TEST_PORTS"

_given: set[int] = set()
_lock = threading.Lock()


def free_port() -> int:
    """A port no server is listening on, never one this process was given before.

    The kernel picks an unused port for a bind to port 0, but the socket is closed before the
    server binds it, and the kernel readily picks the same port again (dozens of times in a few
    thousand calls here). A stack of servers given one port twice loses one of them: its bind
    fails, and a readiness check on that port is answered by the other. Without
    ``COHORT_TEST_PORTS`` another process could still take the port in between."""
    with _lock:
        if span := os.environ.get(RANGE_ENV):
            return _from_range(span)
        while True:
            port = _bindable(0)
            if port is not None and port not in _given:
                _given.add(port)
                return port


def _from_range(span: str) -> int:
    low, _, high = span.partition("-")
    for port in range(int(low), int(high) + 1):
        if port not in _given and _bindable(port) is not None:
            _given.add(port)
            return port
    raise RuntimeError(f"{RANGE_ENV}={span}: every port in the range is taken or given")


def _bindable(port: int) -> int | None:
    with socket.socket() as s:
        # As the servers bind (uvicorn and RabbitMQ set it): a port that only has connections
        # closing on it is free; one with a listener is not.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return None
        return int(s.getsockname()[1])
