"""An ASGI app inside the test itself: its lifespan running and a client on an in-memory
transport, so no port and no server (``local_server`` serves one on a real port)."""

import contextlib
from collections.abc import AsyncIterator

import httpx2
from starlette.applications import Starlette


@contextlib.asynccontextmanager
async def app_client(app: Starlette, base_url: str) -> AsyncIterator[httpx2.AsyncClient]:
    """A client of ``app`` at ``base_url``, with the app started (lifespan) before and stopped
    after."""
    transport = httpx2.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx2.AsyncClient(transport=transport, base_url=base_url) as client,
    ):
        yield client
