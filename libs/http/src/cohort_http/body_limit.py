"""A cap on every request body, as ASGI middleware: what a client may make a service read.

A declared ``Content-Length`` over the cap is refused before a byte is read; a body sent without
one (chunked) is counted as it arrives and refused once it passes the cap. Either way the app's
first read of the body raises ``BodyTooLarge``, which each service answers as 413 in its own
shape (JSON error for the API, a page for the web apps). Routes with another cap (a file upload)
are named in ``routes``, with their cap, or None where the route enforces its own: with
``capped_receive``, the same cap on its own ``receive``, refusing in words of its own. A route
that may leave the body unread (a form parser reads only the content types it knows) asks
``declared_over`` first, to refuse a declared length over its cap whatever the body holds."""

import re
from collections.abc import Callable, Mapping

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


def declared_over(scope: Scope, limit: int) -> bool:
    """Whether the request's ``Content-Length`` says it is over ``limit`` bytes."""
    declared = dict(scope.get("headers") or []).get(b"content-length", b"")
    return declared.isdigit() and int(declared) > limit


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
        await self.app(scope, capped_receive(scope, receive, limit), send)


def capped_receive(
    scope: Scope,
    receive: Receive,
    limit: int,
    too_large: Callable[[int], Exception] = BodyTooLarge,
) -> Receive:
    """``receive`` that raises ``too_large(limit)`` once the body is over ``limit`` bytes, or on
    the first read if its declared length is. (Raised while FastAPI parses a body, only an
    ``HTTPException`` such as ``BodyTooLarge`` passes through as it is.)"""
    over = declared_over(scope, limit)
    received = 0

    async def capped() -> Message:
        nonlocal received
        if over:
            raise too_large(limit)
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise too_large(limit)
        return message

    return capped
