"""Every request body is capped: declared or counted, over the cap is ``BodyTooLarge``."""

from collections.abc import AsyncIterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cohort_http.body_limit import BodyLimit, BodyTooLarge, capped_receive, declared_over


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def too_large(request: Request, exc: Exception) -> PlainTextResponse:
    assert isinstance(exc, BodyTooLarge)
    return PlainTextResponse(f"over {exc.limit}", status_code=413)


class CallbackTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


async def callback(request: Request) -> PlainTextResponse:
    """A route with a smaller cap of its own, inside the general one, refused its own way."""
    if declared_over(request.scope, 5):
        return PlainTextResponse("callback over 5 (declared)", status_code=413)
    capped = Request(
        request.scope, capped_receive(request.scope, request.receive, 5, CallbackTooLarge)
    )
    try:
        return PlainTextResponse(str(len(await capped.body())))
    except CallbackTooLarge as exc:
        return PlainTextResponse(f"callback over {exc.limit}", status_code=413)


def app() -> BodyLimit:
    inner = Starlette(
        routes=[
            *(Route(f"/{path}", echo, methods=["POST"]) for path in ("echo", "upload", "big")),
            Route("/callback", callback, methods=["POST"]),
        ],
        exception_handlers={BodyTooLarge: too_large},
    )
    routes = {r"/upload": None, r"/big": 50}
    return BodyLimit(inner, max_bytes=10, routes=routes)


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    transport = httpx2.ASGITransport(app=app())
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_a_body_within_the_cap_is_read(client: httpx2.AsyncClient) -> None:
    response = await client.post("/echo", content=b"x" * 10)

    assert (response.status_code, response.text) == (200, "10")


async def test_a_declared_length_over_the_cap_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post("/echo", content=b"x" * 11)

    assert (response.status_code, response.text) == (413, "over 10")


async def test_a_chunked_body_is_counted(client: httpx2.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"xxxx"

    response = await client.post("/echo", content=chunks())

    assert response.status_code == 413


async def test_a_route_with_its_own_limit_is_left_to_it(client: httpx2.AsyncClient) -> None:
    response = await client.post("/upload", content=b"x" * 100)

    assert (response.status_code, response.text) == (200, "100")


async def test_a_route_may_have_a_larger_cap(client: httpx2.AsyncClient) -> None:
    within = await client.post("/big", content=b"x" * 50)
    over = await client.post("/big", content=b"x" * 51)

    assert (within.status_code, over.status_code) == (200, 413)


async def test_a_route_may_cap_its_own_body_and_refuse_its_own_way(
    client: httpx2.AsyncClient,
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(2):
            yield b"xxxx"

    within = await client.post("/callback", content=b"x" * 5)
    declared = await client.post("/callback", content=b"x" * 6)
    counted = await client.post("/callback", content=chunks())

    assert (within.status_code, within.text) == (200, "5")
    assert (declared.status_code, declared.text) == (413, "callback over 5 (declared)")
    assert (counted.status_code, counted.text) == (413, "callback over 5")
