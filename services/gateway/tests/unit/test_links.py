"""``GET /v1/links/{token}``: public, org from the token, 404/410, rate-limited per address."""

import pytest

from cohort_contracts.campaign_requests import ResolveLink
from cohort_http.token_buckets import TokenBuckets

from ..conftest import ORG, GatewayFactory, Harness

TOKEN = f"{ORG}.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl"


async def test_a_link_resolves_without_signing_in(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG, type="booking")
    gateway.campaign.add_link(TOKEN, campaign)

    response = await gateway.client.get(f"/v1/links/{TOKEN}")

    assert response.status_code == 200, response.text
    assert response.json()["campaign_id"] == str(campaign.id)
    assert response.headers["cache-control"] == "no-store"
    [request] = gateway.campaign.requests
    assert isinstance(request, ResolveLink)
    assert (request.org_id, request.token, request.actor) == (ORG, TOKEN, "patient-link")
    assert request.org_scope == []


async def test_an_expired_link_is_410(gateway: Harness) -> None:
    gateway.campaign.add_link(TOKEN, gateway.campaign.add_campaign(org_id=ORG), expired=True)

    response = await gateway.client.get(f"/v1/links/{TOKEN}")

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"


async def test_a_forged_link_is_404(gateway: Harness) -> None:
    response = await gateway.client.get(f"/v1/links/{ORG}.AAECAwQFBgcICQoLDA0ODxAR.Zm9yZ2Vk")

    assert response.status_code == 404
    assert len(gateway.campaign.requests) == 1


@pytest.mark.parametrize(
    "token",
    [
        "a81001.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJl",  # not an ODS code (lower case)
        "A8.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJl",  # too short for one
        "NOTANODSCODE1.AAECAwQFBgcICQoLDA0ODxAR.c2ln",  # too long for one
        "A81001AAECAwQFBgcICQoLDA0ODxAR",  # no segments
        "A81001.AAECAwQFBgcICQoLDA0ODxAR",  # two segments
        "A81001.a.b.c",  # four
        "A81001.a+b.c=",  # not base64url
        "A81001.x",  # too short
        "A81001." + "a" * 500 + ".b",  # too long
        "A81001.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJl%0A",  # a trailing newline
    ],
)
async def test_a_token_that_cannot_be_one_is_404_without_asking_campaign(
    gateway: Harness, token: str
) -> None:
    response = await gateway.client.get(f"/v1/links/{token}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert gateway.campaign.requests == []


async def test_each_address_is_rate_limited(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(link_burst=3, link_requests_per_minute=1) as gateway:
        statuses = [(await gateway.client.get(f"/v1/links/{TOKEN}")).status_code for _ in range(5)]
        limited = await gateway.client.get(f"/v1/links/{TOKEN}")

    assert statuses == [404, 404, 404, 429, 429]
    assert limited.json()["error"]["code"] == "too_many_requests"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert len(gateway.campaign.requests) == 3


def test_buckets_refill_at_the_rate_and_forget_old_addresses() -> None:
    clock = [0.0]
    buckets = TokenBuckets(rate_per_s=2.0, burst=2, max_keys=2, clock=lambda: clock[0])

    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, 0.5]
    clock[0] = 0.5
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == 0.5
    buckets.take("b")
    buckets.take("c")  # "a" is the least recently used: forgotten, so it starts full again
    assert buckets.take("a") == 0.0
