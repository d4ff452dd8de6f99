"""Every request body is capped: declared or counted, over the cap is ``BodyTooLarge``."""

from collections.abc import AsyncIterator

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from cohort_http.body_limit import BodyLimit, BodyTooLarge


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


async def too_large(request: Request, exc: Exception) -> PlainTextResponse:
    assert isinstance(exc, BodyTooLarge)
    return PlainTextResponse(f"over {exc.limit}", status_code=413)


def app() -> BodyLimit:
    inner = Starlette(
        routes=[Route(f"/{path}", echo, methods=["POST"]) for path in ("echo", "upload", "big")],
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
