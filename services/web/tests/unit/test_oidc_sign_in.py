"""Signing in at a real local OpenID Connect provider (``oidc-provider-mock``, started here):
the web app sends the browser there with PKCE (S256), a state and a nonce, takes the code back,
and its checked ID token becomes the session's bearer token."""

import urllib.parse
from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from cohort_testing.in_process import app_client
from cohort_testing.oidc_provider import OidcProvider, python_for_the_provider
from web.app import create_app

from ..conftest import Web, settings
from ..fake_gateway import FakeGateway

pytestmark = pytest.mark.e2e

CLIENT = "cohort-web"
ALICE = {"sub": "alice", "name": "Alice Example", "email": "alice@example.test", "org": "A81001"}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    python = python_for_the_provider()
    if python is None:
        pytest.skip("oidc-provider-mock needs Python 3.12+, and none is installed here")
    running = OidcProvider(python, tmp_path_factory.mktemp("oidc"), [ALICE])
    running.start()
    yield running
    running.stop()


@pytest.fixture
async def web(provider: OidcProvider) -> AsyncIterator[Web]:
    gateway = FakeGateway()
    gateway.oidc = (provider.issuer, CLIENT)
    config = settings(dev_sign_in=False, oidc_issuer=provider.issuer, oidc_client_id=CLIENT)
    app = create_app(config, transport=httpx2.ASGITransport(app=gateway.app))
    async with app_client(app, "http://web") as client:
        yield Web(client, gateway)


async def at_the_provider(web: Web, sub: str) -> str:
    """Follow the web app to the provider, sign ``sub`` in there; the callback URL it gives."""
    start = await web.client.get("/sign-in/provider", params={"next": "/campaigns"})
    assert start.status_code == 302
    authorize = start.headers["location"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert query["nonce"]
    assert query["state"]
    async with httpx2.AsyncClient() as browser:
        chosen = await browser.post(authorize, data={"sub": sub})
    assert chosen.status_code == 302
    return str(chosen.headers["location"])


async def test_sign_in_at_the_provider(web: Web, provider: OidcProvider) -> None:
    page = await web.client.get("/sign-in")
    assert "/sign-in/provider" in page.text

    callback = await at_the_provider(web, "alice")
    back = await web.client.get(callback)

    assert back.status_code == 303, back.text[:2000]
    assert back.headers["location"] == "/campaigns"
    campaigns = await web.client.get("/campaigns")
    assert campaigns.status_code == 200
    assert "Alice Example" in campaigns.text


async def test_a_callback_with_a_wrong_state_signs_nobody_in(web: Web) -> None:
    callback = await at_the_provider(web, "alice")
    forged = callback.replace("state=", "state=forged")

    back = await web.client.get(forged)

    assert back.status_code == 400
    assert "Sign in did not work" in back.text
    assert (await web.client.get("/campaigns")).status_code == 303  # still signed out


async def test_sign_in_attempts_are_limited_here_too(provider: OidcProvider) -> None:
    gateway = FakeGateway()
    config = settings(
        dev_sign_in=False, oidc_issuer=provider.issuer, sign_in_burst=1, sign_in_per_minute=1
    )
    app = create_app(config, transport=httpx2.ASGITransport(app=gateway.app))
    async with app_client(app, "http://web") as client:
        first = await client.get("/sign-in/provider")
        second = await client.get("/sign-in/provider")

    assert (first.status_code, second.status_code) == (302, 429)
