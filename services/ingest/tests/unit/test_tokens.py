"""The signed-JWT client-credentials provider against a hand-written token endpoint, in process."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ingest.adapters.tokens import (
    ASSERTION_TYPE,
    SignedJwtSettings,
    SignedJwtTokenProvider,
    load_private_key,
)
from ingest.ports import TokenUnavailable

from ..fakes import SettableClock
from ..token_stub import TOKEN_URL, TokenEndpoint, TokenReply, private_pem

API_KEY = "test-api-key"
KEY_ID = "test-1"


@pytest.fixture
def settings(key: rsa.RSAPrivateKey) -> SignedJwtSettings:
    return SignedJwtSettings(token_url=TOKEN_URL, api_key=API_KEY, private_key=key, key_id=KEY_ID)


@pytest.fixture
def endpoint(key: rsa.RSAPrivateKey) -> TokenEndpoint:
    return TokenEndpoint(key.public_key())


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock()


@pytest.fixture
async def provider(
    endpoint: TokenEndpoint, settings: SignedJwtSettings, clock: SettableClock
) -> AsyncIterator[SignedJwtTokenProvider]:
    client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=endpoint.app()))
    tokens = SignedJwtTokenProvider(client, settings, clock=clock)
    yield tokens
    await tokens.aclose()


async def test_client_assertion_is_what_the_identity_service_checks(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, clock: SettableClock
) -> None:
    assert await provider.access_token() == "token-1"

    [sent] = endpoint.received  # signature and aud already verified by the endpoint
    assert sent.form["grant_type"] == "client_credentials"
    assert sent.form["client_assertion_type"] == ASSERTION_TYPE
    assert sent.header == {"alg": "RS512", "typ": "JWT", "kid": KEY_ID}
    assert sent.claims["iss"] == sent.claims["sub"] == API_KEY
    assert sent.claims["aud"] == TOKEN_URL
    assert uuid.UUID(sent.claims["jti"])
    assert sent.claims["exp"] == int(clock.now) + 300


async def test_token_is_cached_until_30_seconds_before_it_expires(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, clock: SettableClock
) -> None:
    assert await provider.access_token() == "token-1"
    clock.advance(568)
    assert await provider.access_token() == "token-1"
    clock.advance(2)  # 570 s: within 30 s of the 599 s expiry
    assert await provider.access_token() == "token-2"
    assert await provider.access_token() == "token-2"

    jtis = {a.claims["jti"] for a in endpoint.received}
    assert len(jtis) == 2  # a repeated jti would be refused


async def test_a_short_lived_token_is_refreshed_half_way(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, clock: SettableClock
) -> None:
    endpoint.expires_in = "40"
    await provider.access_token()
    clock.advance(19)
    assert await provider.access_token() == "token-1"
    clock.advance(1)
    assert await provider.access_token() == "token-2"


async def test_concurrent_callers_share_one_token_request(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint
) -> None:
    endpoint.delay_s = 0.05
    tokens = await asyncio.gather(*(provider.access_token() for _ in range(20)))
    assert set(tokens) == {"token-1"}
    assert len(endpoint.received) == 1


async def test_a_rejected_token_is_replaced_once_for_all_callers(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint
) -> None:
    rejected = await provider.access_token()
    endpoint.delay_s = 0.05
    tokens = await asyncio.gather(*(provider.refreshed(rejected) for _ in range(10)))
    assert set(tokens) == {"token-2"}
    assert len(endpoint.received) == 2


async def test_an_older_rejected_token_gets_the_current_one_without_a_request(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint
) -> None:
    first = await provider.access_token()
    await provider.refreshed(first)
    assert await provider.refreshed(first) == "token-2"
    assert len(endpoint.received) == 2


@pytest.mark.parametrize(
    ("status", "retryable"), [(400, False), (401, False), (429, True), (500, True), (503, True)]
)
async def test_token_endpoint_errors(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, status: int, retryable: bool
) -> None:
    error = {"error": "invalid_request", "error_description": "Invalid 'kid'", "message_id": "x"}
    endpoint.scripts.append(TokenReply(status, error))
    with pytest.raises(TokenUnavailable) as raised:
        await provider.access_token()
    assert raised.value.retryable is retryable
    assert await provider.access_token() == "token-2"  # the next caller tries again


@pytest.mark.parametrize(
    "body",
    [
        {"expires_in": "599"},
        {"access_token": "", "expires_in": "599"},
        {"access_token": "abc", "expires_in": "soon"},
        {"access_token": "abc", "expires_in": "-5"},
        {"access_token": "abc"},
        ["not", "an", "object"],
    ],
)
async def test_an_unusable_token_response_is_not_retryable(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, body: object
) -> None:
    endpoint.scripts.append(TokenReply(200, body))
    with pytest.raises(TokenUnavailable) as raised:
        await provider.access_token()
    assert raised.value.retryable is False


async def test_expires_in_as_a_number_is_accepted_too(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, clock: SettableClock
) -> None:
    endpoint.scripts.append(TokenReply(200, {"access_token": "abc", "expires_in": 599}))
    assert await provider.access_token() == "abc"
    clock.advance(500)
    assert await provider.access_token() == "abc"


async def test_callers_queued_behind_a_failed_request_share_its_failure(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint
) -> None:
    endpoint.delay_s = 0.05
    endpoint.scripts.append(TokenReply(401, {"error": "invalid_request"}))
    results = await asyncio.gather(
        *(provider.access_token() for _ in range(10)), return_exceptions=True
    )
    assert all(isinstance(r, TokenUnavailable) and not r.retryable for r in results)
    assert len(endpoint.received) == 1


async def test_a_failed_refresh_falls_back_to_the_token_until_it_expires(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint, clock: SettableClock
) -> None:
    await provider.access_token()
    clock.advance(580)
    endpoint.scripts.append(TokenReply(503, {"error": "server_error"}))
    assert await provider.access_token() == "token-1"
    clock.advance(30)  # past the 599 s expiry
    endpoint.scripts.append(TokenReply(503, {"error": "server_error"}))
    with pytest.raises(TokenUnavailable):
        await provider.access_token()


async def test_a_rejected_token_is_never_handed_back(
    provider: SignedJwtTokenProvider, endpoint: TokenEndpoint
) -> None:
    rejected = await provider.access_token()
    endpoint.scripts.append(TokenReply(503, {"error": "server_error"}))
    with pytest.raises(TokenUnavailable) as raised:
        await provider.refreshed(rejected)
    assert raised.value.retryable is True


async def test_an_unreachable_token_endpoint_is_retryable(settings: SignedJwtSettings) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    tokens = SignedJwtTokenProvider(
        httpx2.AsyncClient(transport=httpx2.MockTransport(refuse)), settings
    )
    try:
        with pytest.raises(TokenUnavailable) as raised:
            await tokens.access_token()
    finally:
        await tokens.aclose()
    assert raised.value.retryable is True


def test_private_key_loads_from_pem(key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_bytes(private_pem(key))
    loaded = load_private_key(path)
    assert loaded.private_numbers() == key.private_numbers()


def test_unusable_private_keys_fail_at_start_up(tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key")
    elliptic = tmp_path / "ec.pem"
    elliptic.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    for path in (missing, garbage, elliptic):
        with pytest.raises(ValueError, match=re.escape(str(path))):
            load_private_key(path)
