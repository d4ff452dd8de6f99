import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cohort_testing.in_process import app_client
from cohort_testing.local_server import serve as run_server
from firetext_sim.app import create_app
from firetext_sim.config import Settings

API_KEY = "test-api-key"


def serve(app: FastAPI) -> AbstractAsyncContextManager[httpx2.AsyncClient]:
    """The app behind an in-memory transport, with its lifespan running."""
    return app_client(app, "http://firetext.test")


def make_settings(**overrides: Any) -> Settings:
    return Settings(**{"receipt_delay_ms": 20, "receipt_backoff_ms": 10, **overrides})


def make_app(**overrides: Any) -> FastAPI:
    return create_app(make_settings(**overrides))


def send_form(**overrides: str) -> dict[str, str]:
    form = {
        "apiKey": API_KEY,
        "from": "Surgery",
        "to": "07700900123",
        "message": "Your flu jab is due",
        "reference": "ref-1",
    }
    form.update(overrides)
    return {name: value for name, value in form.items() if value != "<drop>"}


@dataclass
class Post:
    path: str
    query: str
    form: dict[str, str]


@dataclass
class Receiver:
    """An HTTP endpoint that records every form POST, for receipts and inbound replies."""

    posts: list[Post] = field(default_factory=list)
    #: Statuses to answer with, first to last; once used up, 200.
    statuses: list[int] = field(default_factory=list)
    url: str = ""
    _arrived: asyncio.Condition = field(default_factory=asyncio.Condition)

    def app(self) -> Starlette:
        async def record(request: Request) -> JSONResponse:
            form = await request.form()
            status = self.statuses.pop(0) if self.statuses else 200
            if status < 400:
                post = Post(
                    request.url.path, request.url.query, {k: str(v) for k, v in form.items()}
                )
                async with self._arrived:
                    self.posts.append(post)
                    self._arrived.notify_all()
            return JSONResponse({"result": "success"}, status_code=status)

        return Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])

    async def wait_for(self, count: int) -> list[Post]:
        async with asyncio.timeout(5), self._arrived:
            await self._arrived.wait_for(lambda: len(self.posts) >= count)
        return self.posts


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    async with run_server(receiver.app()) as url:
        receiver.url = url
        yield receiver


@pytest.fixture
async def client() -> AsyncIterator[httpx2.AsyncClient]:
    async with serve(make_app()) as client:
        yield client
