"""Security headers on every answer (API, errors, docs), HSTS behind TLS, and a cap on every
request body."""

import pytest

from ..conftest import GatewayFactory, Harness


@pytest.mark.parametrize(
    ("path", "authorised"),
    [("/v1/campaigns", True), ("/v1/campaigns", False), ("/healthz", False), ("/nowhere", False)],
    ids=["api", "401", "health", "404"],
)
async def test_every_api_answer_has_the_headers(
    gateway: Harness, path: str, authorised: bool
) -> None:
    headers = gateway.auth() if authorised else {}

    response = await gateway.client.get(path, headers=headers)

    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


async def test_the_docs_may_run_their_own_scripts_only(gateway: Harness) -> None:
    response = await gateway.client.get("/docs")

    policy = response.headers["content-security-policy"]
    assert response.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http" not in policy  # no other origin


async def test_hsts_over_tls(gateway: Harness) -> None:
    response = await gateway.client.get("https://gateway/healthz")

    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


async def test_hsts_when_behind_a_tls_proxy(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(hsts=True) as gateway:
        response = await gateway.client.get("/healthz")

    assert "strict-transport-security" in response.headers


async def test_a_json_body_over_the_cap_is_413(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(max_body_bytes=2048) as gateway:
        body = {"name": "x" * 4096, "type": "basic"}
        response = await gateway.client.post("/v1/campaigns", json=body, headers=gateway.auth())

        assert response.status_code == 413
        assert response.json()["error"]["code"] == "too_large"
        assert gateway.campaign.requests == []


async def test_a_body_within_the_cap_is_read(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(max_body_bytes=2048) as gateway:
        body = {"name": "x" * 100, "type": "basic"}
        response = await gateway.client.post("/v1/campaigns", json=body, headers=gateway.auth())

    assert response.status_code == 201


async def test_uploads_keep_their_own_larger_cap(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(max_body_bytes=2048) as gateway:
        campaign = gateway.campaign.add_campaign()
        rows = "".join(f"943476591{i % 10},01/02/1980\n" for i in range(200))
        files = {"file": ("list.csv", ("NHS Number,DOB\n" + rows).encode(), "text/csv")}
        response = await gateway.client.post(
            f"/v1/campaigns/{campaign.id}/patient-lists",
            files=files,
            data={"channel": "sms"},
            headers=gateway.auth(),
        )

    assert response.status_code == 202
