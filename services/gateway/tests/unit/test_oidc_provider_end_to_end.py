"""The gateway against a real local OpenID Connect provider (``oidc-provider-mock``, started
here): its ID tokens are verified through its discovery document and JWKS over HTTP; a token
that expires, names another audience or was tampered with is refused; after the provider
restarts with a new key (rotation), its new tokens are accepted."""

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from time_machine import TimeMachineFixture

from cohort_testing.oidc_provider import OidcProvider, python_for_the_provider

from ..conftest import GatewayFactory, Harness
from ..identity_provider import tampered

pytestmark = pytest.mark.e2e

CLIENT = "cohort-web"
#: The mock puts neither Cohort's claims nor ``nbf`` in its tokens by itself: its users carry
#: them as claims, which it copies into the ID token.
ALICE = {
    "sub": "alice",
    "email": "alice@example.test",
    "org": "A81001",
    "roles": ["sender"],
    "nbf": int(time.time()) - 60,
}
VIEWER = ALICE | {"sub": "vic", "roles": ["viewer"]}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    python = python_for_the_provider()
    if python is None:
        pytest.skip("oidc-provider-mock needs Python 3.12+, and none is installed here")
    running = OidcProvider(python, tmp_path_factory.mktemp("oidc"), [ALICE, VIEWER], 3)
    running.start()
    yield running
    running.stop()


@pytest.fixture
async def gateway(
    gateway_factory: GatewayFactory, provider: OidcProvider
) -> AsyncIterator[Harness]:
    settings = {
        "oidc_issuer": provider.issuer,
        "oidc_audience": CLIENT,
        "oidc_keys_refetch_s": 0,
        "jwt_leeway_s": 0,  # so that a token's expiry shows at once
    }
    async with gateway_factory(**settings) as harness:
        yield harness


async def status(gateway: Harness, token: str, path: str = "/v1/me") -> int:
    response = await gateway.client.get(path, headers={"Authorization": f"Bearer {token}"})
    return response.status_code


async def test_a_signed_in_user_reaches_the_api(gateway: Harness, provider: OidcProvider) -> None:
    token = provider.id_token("alice", CLIENT)

    response = await gateway.client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.text
    assert response.json()["organisation"]["ods"] == "A81001"
    assert response.json()["roles"] == ["sender", "viewer"]


async def test_a_viewer_cannot_create(gateway: Harness, provider: OidcProvider) -> None:
    token = provider.id_token("vic", CLIENT)

    created = await gateway.client.post(
        "/v1/campaigns",
        json={"name": "Flu", "type": "basic"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert created.status_code == 403


async def test_a_token_for_another_client_is_refused(
    gateway: Harness, provider: OidcProvider
) -> None:
    assert await status(gateway, provider.id_token("alice", "another-client")) == 401


async def test_a_tampered_token_is_refused(gateway: Harness, provider: OidcProvider) -> None:
    forged = tampered(provider.id_token("alice", CLIENT), org="B82002")

    assert await status(gateway, forged) == 401


async def test_a_token_stops_working_when_it_expires(
    gateway: Harness, provider: OidcProvider, time_machine: TimeMachineFixture
) -> None:
    token = provider.id_token("alice", CLIENT)
    time_machine.move_to(datetime.now(UTC), tick=False)
    assert await status(gateway, token) == 200

    # The provider's tokens last 3 s here: the gateway's clock is moved past that.
    time_machine.shift(4)
    assert await status(gateway, token) == 401


async def test_after_key_rotation_new_tokens_are_accepted(
    gateway: Harness, provider: OidcProvider
) -> None:
    assert await status(gateway, provider.id_token("alice", CLIENT)) == 200

    provider.restart()  # a new signing key, a new kid

    assert await status(gateway, provider.id_token("alice", CLIENT)) == 200
