"""Real local servers for adapter tests: a hand-written Firetext double under uvicorn, and raw
TCP servers that misbehave in ways uvicorn will not (drop or reset after reading a request)."""

import asyncio
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from cohort_testing import local_server


@dataclass
class Reply:
    """What the double answers one request with."""

    code: int | str | None = 0
    http_status: int = 200
    response_data: int = 1  # credits used by a send; the balance for a credit request
    body: str | None = None  # raw body instead of Firetext JSON
    hang: bool = False  # never answer (until the test ends)


@dataclass
class FiretextDouble:
    """Answers ``POST /api/sendsms/json`` and ``GET /api/credit/json`` from scripts (default:
    code 0) and records each request's parameters."""

    script: list[Reply] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    credit_script: list[Reply] = field(default_factory=list)
    credit_requests: list[dict[str, str]] = field(default_factory=list)
    #: A send naming any of these numbers is answered with code 2, as Firetext does.
    refused_numbers: set[str] = field(default_factory=set)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/sendsms/json", self._sendsms, methods=["POST"]),
                Route("/api/credit/json", self._credit, methods=["GET"]),
            ]
        )

    async def _sendsms(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        self.requests.append(form)
        if self.refused_numbers & set(form.get("to", "").split(",")):
            return await self._answer(Reply(code=2), headers={})
        reply = self.script.pop(0) if self.script else Reply()
        return await self._answer(reply, headers={"X-Message": f"ftmsg-{len(self.requests)}"})

    async def _credit(self, request: Request) -> Response:
        self.credit_requests.append(dict(request.query_params))
        reply = self.credit_script.pop(0) if self.credit_script else Reply(response_data=500)
        return await self._answer(reply, headers={})

    async def _answer(self, reply: Reply, headers: dict[str, str]) -> Response:
        if reply.hang:
            await self.release.wait()
        if reply.body is not None:
            return PlainTextResponse(reply.body, status_code=reply.http_status)
        if reply.code is None:
            return Response(status_code=reply.http_status)
        return JSONResponse(
            {
                "code": reply.code,
                "description": "x",
                "responseData": reply.response_data,
                "data": [],
            },
            status_code=reply.http_status,
            headers=headers,
        )


def _bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve(
    app: ASGIApp, *, lifespan: Literal["on", "off"] = "off"
) -> AbstractAsyncContextManager[str]:
    """Runs ``app`` under a real uvicorn (its h11 parser) on a free port; yields its base URL."""
    return local_server.serve(app, lifespan=lifespan, http="h11")


def refused_url() -> str:
    """A port nothing listens on: connecting is refused at once."""
    sock = _bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@asynccontextmanager
async def unanswered_connect() -> AsyncIterator[str]:
    """A listener whose accept backlog is full: a new connection attempt hangs (connect timeout)."""
    listener = _bound_socket()
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    await asyncio.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        ),
        0,
    )
    await reader.readexactly(length)


async def _close_after_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.close()


async def _reset_after_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def _truncated_response(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n{"code": 0')
    await writer.drain()
    writer.close()


MISBEHAVIOURS: dict[str, Handler] = {
    "close": _close_after_request,
    "reset": _reset_after_request,
    "truncate": _truncated_response,
}


@asynccontextmanager
async def misbehaving(kind: str) -> AsyncIterator[tuple[str, list[int]]]:
    """A raw TCP server that reads a whole request and then misbehaves; yields its URL and a
    list that grows by one per request it received."""
    received: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await MISBEHAVIOURS[kind](reader, writer)
        received.append(1)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        server.close()
        await server.wait_closed()
