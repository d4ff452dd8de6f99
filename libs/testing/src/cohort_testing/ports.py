"""A TCP port on the loopback that nothing is listening on, for a server a test starts."""

import socket
import threading

_given: set[int] = set()
_lock = threading.Lock()


def free_port() -> int:
    """A port no server is listening on, never one this process was given before.

    The kernel picks an unused port for a bind to port 0, but the socket is closed before the
    server binds it, and the kernel readily picks the same port again (dozens of times in a few
    thousand calls here). A stack of servers given one port twice loses one of them: its bind
    fails, and a readiness check on that port is answered by the other. Another process could
    still take the port in between: rare enough for tests."""
    with _lock:
        while True:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = int(s.getsockname()[1])
            if port not in _given:
                _given.add(port)
                return port
