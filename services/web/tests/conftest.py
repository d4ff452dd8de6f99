"""The web app in-process against the fake gateway, with a test client that keeps cookies."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from cohort_testing.in_process import app_client
from web.app import create_app
from web.config import WebSettings

from .fake_gateway import JWT_SECRET, FakeGateway
from .html import Page

ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Web:
    client: httpx2.AsyncClient
    gateway: FakeGateway

    async def page(self, url: str, status: int = 200) -> Page:
        response = await self.client.get(url)
        assert response.status_code == status, (response.status_code, response.text[:2000])
        return Page(response.text)

    async def post(
        self,
        url: str,
        data: dict[str, str] | None = None,
        *,
        csrf_from: str | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx2.Response:
        token = (await self.page(csrf_from or url)).csrf()
        return await self.client.post(url, data={"csrf_token": token, **(data or {})}, files=files)

    async def sign_in(self, user: str = "priya.shah") -> None:
        response = await self.post("/sign-in", {"user": user, "next": "/campaigns"})
        assert response.status_code == 303, response.text[:2000]


def settings(**overrides: object) -> WebSettings:
    values: dict[str, object] = {
        "dev_sign_in": True,
        "jwt_secret": JWT_SECRET,
        "gateway_url": "http://gateway",
        "users_file": ROOT / "config" / "dev-users.json",
    }
    return WebSettings.model_validate(values | overrides)


@pytest.fixture
async def web() -> AsyncIterator[Web]:
    gateway = FakeGateway()
    app = create_app(settings(), transport=httpx2.ASGITransport(app=gateway.app))
    async with app_client(app, "http://web") as client:
        yield Web(client, gateway)


@pytest.fixture
async def signed_in(web: Web) -> Web:
    await web.sign_in()
    return web
