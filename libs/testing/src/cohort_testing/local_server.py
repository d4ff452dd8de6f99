"""An ASGI app under a real uvicorn on a loopback port, inside the test's own event loop."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn

#: Quiet defaults: no logging set-up, no access log, no websockets, no lifespan events; and a
#: request a test left hanging holds up the server's stop by a second at most.
DEFAULTS: dict[str, Any] = {
    "log_config": None,
    "access_log": False,
    "ws": "none",
    "lifespan": "off",
    "timeout_graceful_shutdown": 1,
}


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Several servers may run in one test, and Ctrl-C must stop the test run, not them.
        yield


@contextlib.asynccontextmanager
async def serve(app: Any, *, port: int = 0, **config: Any) -> AsyncIterator[str]:
    """Yields ``http://127.0.0.1:<port>`` once the server accepts connections (``port`` 0: a
    free one); stops the server after. ``config``: further ``uvicorn.Config`` settings."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{**DEFAULTS, **config}))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()  # it failed to start: raise why
                await asyncio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        await task
