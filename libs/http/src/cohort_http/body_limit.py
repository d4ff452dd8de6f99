"""A cap on every request body, as ASGI middleware: what a client may make a service read.

A declared ``Content-Length`` over the cap is refused before a byte is read; a body sent without
one (chunked) is counted as it arrives and refused once it passes the cap. Either way the app's
first read of the body raises ``BodyTooLarge``, which each service answers as 413 in its own
shape (JSON error for the API, a page for the web apps). Routes with another cap (a file upload)
are named in ``routes``, with their cap, or None where the route enforces its own."""

import re
from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Forms and JSON bodies: far more than any of them needs.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024


class BodyTooLarge(HTTPException):
    """An ``HTTPException`` (413) so that frameworks pass it on as it is: FastAPI turns any
    other exception raised while it reads a body into a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is too large: at most {limit} bytes.")
        self.limit = limit


class BodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int = DEFAULT_MAX_BODY_BYTES,
        routes: Mapping[str, int | None] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: Path patterns (regular expressions, matched in full) and their caps.
        self.routes = [(re.compile(p), limit) for p, limit in (routes or {}).items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        limit = next((cap for p, cap in self.routes if p.fullmatch(path)), self.max_bytes)
        if scope["type"] != "http" or limit is None:
            await self.app(scope, receive, send)
            return
        await self.app(scope, self._capped(scope, receive, limit), send)

    @staticmethod
    def _capped(scope: Scope, receive: Receive, limit: int) -> Receive:
        declared = dict(scope.get("headers") or []).get(b"content-length", b"")
        over = declared.isdigit() and int(declared) > limit
        received = 0

        async def capped() -> Message:
            nonlocal received
            if over:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return capped
