"""The frame of a pure ASGI middleware that acts on HTTP requests only: whatever else the server
sends through it (lifespan events, websockets) reaches the app untouched."""

from abc import ABC, abstractmethod

from starlette.types import ASGIApp, Receive, Scope, Send


class HttpMiddleware(ABC):
    """A subclass writes ``http``: what it does with one HTTP request, passing it (its receive
    and send wrapped or not) on to ``self.app``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    @abstractmethod
    async def http(self, scope: Scope, receive: Receive, send: Send) -> None: ...
