"""A TCP port on the loopback that nothing is listening on, for a server a test starts."""

import socket


def free_port() -> int:
    # The kernel picks an unused port for a bind to port 0; the socket is closed before the
    # server binds it, so another process could take it in between: rare enough for tests.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
