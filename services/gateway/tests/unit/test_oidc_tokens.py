"""Tokens of the OpenID Connect provider (``GATEWAY_OIDC_ISSUER``): RS256/ES256 checked against
its JWKS (fetched, cached, refetched on rotation), ``iss``/``aud``/``exp``/``nbf`` required, the
algorithm pinned, and development HS256 tokens refused. Roles: a viewer reads, a sender also
changes and sends."""

import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from pydantic import ValidationError

from cohort_contracts.campaign_requests import CreateCampaign, SendCampaign
from gateway.adapters.oidc_keys import KeySource, KeysUnavailable, SigningKeys
from gateway.adapters.token_verifiers import issue_token
from gateway.config import GatewaySettings

from ..conftest import JWT_SECRET, GatewayFactory, Harness
from ..identity_provider import (
    AUDIENCE,
    ISSUER,
    JWKS_URL,
    Provider,
    SigningKey,
    oidc_settings,
    tampered,
)


@pytest.fixture
def provider() -> Provider:
    return Provider()


@pytest.fixture
async def gateway(gateway_factory: GatewayFactory, provider: Provider) -> AsyncIterator[Harness]:
    settings = oidc_settings(oidc_keys_refetch_s=0)
    async with gateway_factory(oidc_transport=provider.transport(), **settings) as harness:
        yield harness


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def status_of(gateway: Harness, token: str) -> tuple[int, str]:
    response = await gateway.client.get("/v1/campaigns", headers=bearer(token))
    return response.status_code, response.json().get("error", {}).get("message", "")


async def test_a_providers_rs256_token_opens_the_api(gateway: Harness, provider: Provider) -> None:
    response = await gateway.client.get("/v1/me", headers=bearer(provider.token(org="B82002")))

    assert response.status_code == 200
    assert response.json()["organisation"]["ods"] == "B82002"
    assert response.json()["roles"] == ["sender", "viewer"]
    assert provider.discoveries == 1  # the JWKS address came from the discovery document


async def test_an_es256_token_opens_the_api(gateway: Harness, provider: Provider) -> None:
    key = SigningKey.ec()
    provider.keys.append(key)

    assert await status_of(gateway, provider.token(key)) == (200, "")


async def test_keys_are_fetched_once_and_cached(gateway: Harness, provider: Provider) -> None:
    for _ in range(5):
        assert (await status_of(gateway, provider.token()))[0] == 200

    assert provider.fetches == 1


async def test_a_rotated_key_is_fetched_when_a_token_names_it(
    gateway: Harness, provider: Provider
) -> None:
    assert (await status_of(gateway, provider.token()))[0] == 200
    new = SigningKey.rsa()
    provider.keys = [new]  # the provider rotated: the old key is gone

    assert (await status_of(gateway, provider.token(new)))[0] == 200
    assert provider.fetches == 2


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({"exp": datetime.now(UTC) - timedelta(minutes=5)}, "expired"),
        ({"nbf": datetime.now(UTC) + timedelta(minutes=5)}, "not valid yet"),
        ({"nbf": None}, "'nbf'"),
        ({"exp": None}, "'exp'"),
        ({"aud": "another-service"}, "not for this service"),
        ({"aud": None}, "'aud'"),
        ({"iss": "https://elsewhere.test"}, "another issuer"),
        ({"iss": None}, "'iss'"),
        ({"org": "not an ods code"}, "'org'"),
    ],
    ids=[
        "expired",
        "not-yet",
        "no-nbf",
        "no-exp",
        "wrong-aud",
        "no-aud",
        "wrong-iss",
        "no-iss",
        "bad-org",
    ],
)
async def test_claims_are_checked(
    gateway: Harness, provider: Provider, claims: dict[str, object], message: str
) -> None:
    # The default key and headers: every entry of ``claims`` is a claim.
    status, text = await status_of(gateway, provider.token(None, headers=None, **claims))

    assert status == 401
    assert message in text
    assert gateway.campaign.requests == []


async def test_a_tampered_token_is_refused(gateway: Harness, provider: Provider) -> None:
    forged = tampered(provider.token(org="A81001"), org="B82002")

    assert await status_of(gateway, forged) == (401, "The token is not valid.")


async def test_alg_none_is_refused_without_fetching_keys(
    gateway: Harness, provider: Provider
) -> None:
    unsigned = jwt.encode(
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "org": "A81001"},
        "",  # no key: PyJWT's "none" takes "" as None, and its stubs allow only the former
        algorithm="none",
        headers={"kid": provider.keys[0].kid},
    )

    status, text = await status_of(gateway, unsigned)

    assert (status, "not accepted" in text) == (401, True)
    assert provider.fetches == 0


async def test_hs256_signed_with_the_public_key_is_refused(
    gateway: Harness, provider: Provider
) -> None:
    """The classic key-confusion attack: HMAC keyed with the provider's public key, which
    anyone can download, by a verifier that lets the token choose its algorithm."""
    key = provider.keys[0]
    pem = key.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "u", "org": "A81001", "nbf": 0}
    claims["exp"] = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    header = {"kid": key.kid, "alg": "HS256", "typ": "JWT"}
    signing_input = b".".join(
        jwt.utils.base64url_encode(json.dumps(part).encode()) for part in (header, claims)
    )
    signature = hmac.digest(pem, signing_input, "sha256")
    forged = (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()

    assert (await status_of(gateway, forged))[0] == 401


async def test_an_algorithm_not_matching_its_key_is_refused(
    gateway: Harness, provider: Provider
) -> None:
    ec_key = SigningKey.ec()
    provider.keys.append(ec_key)
    # Signed by the RSA key, but naming the EC key's kid.
    mismatched = provider.token(headers={"kid": ec_key.kid})

    assert (await status_of(gateway, mismatched))[0] == 401


async def test_a_key_the_provider_does_not_publish_is_refused(
    gateway: Harness, provider: Provider
) -> None:
    outsider = SigningKey.rsa()

    status, text = await status_of(gateway, provider.token(outsider))

    assert (status, "does not publish" in text) == (401, True)


async def test_development_tokens_are_refused_once_an_issuer_is_configured(
    gateway: Harness,
) -> None:
    dev = issue_token(JWT_SECRET, "user-1", "A81001", issuer="cohort", audience=AUDIENCE)

    assert (await status_of(gateway, dev))[0] == 401


async def test_a_viewer_reads_but_does_not_change_or_send(
    gateway: Harness, provider: Provider
) -> None:
    campaign = gateway.campaign.add_campaign(org_id="A81001")
    viewer = bearer(provider.token(roles=["viewer"]))
    client = gateway.client

    read = await client.get(f"/v1/campaigns/{campaign.id}", headers=viewer)
    create = await client.post("/v1/campaigns", json={"name": "F", "type": "basic"}, headers=viewer)
    send = await client.post(
        f"/v1/campaigns/{campaign.id}/send", json={"confirm_recipient_count": 0}, headers=viewer
    )
    upload = await client.post(
        f"/v1/campaigns/{campaign.id}/patient-lists",
        files={"file": ("l.csv", b"NHS Number\n", "text/csv")},
        data={"channel": "sms"},
        headers=viewer,
    )

    assert read.status_code == 200
    assert (create.status_code, send.status_code, upload.status_code) == (403, 403, 403)
    assert "sender role" in send.json()["error"]["message"]
    assert gateway.campaign.sent(CreateCampaign) == []
    assert gateway.campaign.sent(SendCampaign) == []
    assert gateway.resolve_rows == []


async def test_a_sender_sends(gateway: Harness, provider: Provider) -> None:
    campaign = gateway.campaign.add_campaign(org_id="A81001")

    send = await gateway.client.post(
        f"/v1/campaigns/{campaign.id}/send",
        json={"confirm_recipient_count": 0},
        headers=bearer(provider.token(roles="sender")),  # a space-separated string counts too
    )

    assert send.status_code == 202


async def test_no_cohort_role_reads_nothing_but_who_it_is(
    gateway: Harness, provider: Provider
) -> None:
    token = provider.token(roles=["clinician"])

    listing = await gateway.client.get("/v1/campaigns", headers=bearer(token))
    me = await gateway.client.get("/v1/me", headers=bearer(token))

    assert listing.status_code == 403
    assert (me.status_code, me.json()["roles"]) == (200, [])


async def test_provider_roles_are_mapped_to_cohort_roles(
    gateway_factory: GatewayFactory, provider: Provider
) -> None:
    settings = oidc_settings(
        oidc_roles_claim="nhs_roles",
        oidc_org_claim="org_code",
        oidc_sender_roles=["R8000"],
        oidc_viewer_roles=["R8001"],
    )
    async with gateway_factory(oidc_transport=provider.transport(), **settings) as gateway:
        token = provider.token(org=None, org_code="B82002", roles=None, nhs_roles=["R8001"])
        me = await gateway.client.get("/v1/me", headers=bearer(token))

    assert me.json()["organisation"]["ods"] == "B82002"
    assert me.json()["roles"] == ["viewer"]


async def test_unreachable_keys_are_503_not_401(
    gateway_factory: GatewayFactory, provider: Provider
) -> None:
    provider.down = True
    async with gateway_factory(oidc_transport=provider.transport(), **oidc_settings()) as gateway:
        response = await gateway.client.get("/v1/campaigns", headers=bearer(provider.token()))

    assert response.status_code == 503


async def test_unknown_kids_cannot_make_the_gateway_hammer_the_provider(
    provider: Provider,
) -> None:
    now = [0.0]
    async with httpx2.AsyncClient(transport=provider.transport()) as client:
        source = KeySource(issuer=ISSUER, jwks_url=JWKS_URL, refetch_s=30)
        keys = SigningKeys(client, source, clock=lambda: now[0])
        assert await keys.get(provider.keys[0].kid) is not None
        for _ in range(20):
            assert await keys.get(uuid4().hex) is None
        assert provider.fetches == 1
        now[0] = 31.0
        assert await keys.get(uuid4().hex) is None

    assert provider.fetches == 2


async def test_cached_keys_outlive_a_provider_outage(provider: Provider) -> None:
    now = [0.0]
    async with httpx2.AsyncClient(transport=provider.transport()) as client:
        source = KeySource(issuer=ISSUER, jwks_url=JWKS_URL, ttl_s=60)
        keys = SigningKeys(client, source, clock=lambda: now[0])
        kid = provider.keys[0].kid
        assert await keys.get(kid) is not None
        provider.down, now[0] = True, 120.0

        assert await keys.get(kid) is not None


async def test_no_keys_at_all_is_keys_unavailable(provider: Provider) -> None:
    provider.down = True
    async with httpx2.AsyncClient(transport=provider.transport()) as client:
        keys = SigningKeys(client, KeySource(issuer=ISSUER, jwks_url=JWKS_URL))

        with pytest.raises(KeysUnavailable):
            await keys.get("any")


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
def test_symmetric_or_no_algorithm_cannot_be_configured(algorithm: str) -> None:
    with pytest.raises(ValidationError):
        GatewaySettings(oidc_issuer=ISSUER, oidc_algorithms=[algorithm])
