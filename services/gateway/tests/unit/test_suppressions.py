"""``/v1/suppressions`` (the opt-out list, signed in) and ``/v1/unsubscribe/{token}`` (public
one-click unsubscribe, RFC 8058)."""

import pytest

from cohort_contracts.opt_out import (
    AddSuppression,
    ListSuppressions,
    RemoveSuppression,
    Unsubscribe,
)

from ..conftest import ORG, GatewayFactory, Harness

GOOD = f"{ORG}.AAECAwQFBgcICQoLDA0ODw.good-signature"
OTHER = "B82002"


async def test_staff_add_list_and_remove_within_their_organisation(gateway: Harness) -> None:
    client, headers = gateway.client, gateway.auth(ORG, user="alice")

    added = await client.post("/v1/suppressions", json={"contact": "07700 900123"}, headers=headers)
    assert added.status_code == 201, added.text
    sid = added.json()["id"]
    assert added.headers["location"] == f"/v1/suppressions/{sid}"
    listed = await client.get("/v1/suppressions", headers=headers)
    assert [s["id"] for s in listed.json()["items"]] == [sid]
    # Another practice neither sees it nor removes it.
    theirs = await client.get("/v1/suppressions", headers=gateway.auth(OTHER))
    assert theirs.json()["items"] == []
    assert (
        await client.delete(f"/v1/suppressions/{sid}", headers=gateway.auth(OTHER))
    ).status_code == 404
    removed = await client.delete(f"/v1/suppressions/{sid}", headers=headers)
    assert removed.status_code == 200
    assert removed.json()["active"] is False

    add, listing, *_, remove = gateway.campaign.requests
    assert isinstance(add, AddSuppression)
    assert (add.org_id, add.actor, add.contact) == (ORG, "alice", "07700 900123")
    assert isinstance(listing, ListSuppressions)
    assert isinstance(remove, RemoveSuppression)


@pytest.mark.parametrize(
    "body", [{}, {"contact": ""}, {"contact": "x" * 321}, {"contact": "07700900123", "note": "x"}]
)
async def test_a_bad_body_is_422_and_asks_nothing(gateway: Harness, body: object) -> None:
    response = await gateway.client.post("/v1/suppressions", json=body, headers=gateway.auth())
    assert response.status_code == 422
    assert gateway.campaign.requests == []


async def test_one_click_unsubscribe_needs_no_sign_in(gateway: Harness) -> None:
    # RFC 8058: the mail client POSTs this form body to the List-Unsubscribe URL.
    response = await gateway.client.post(
        f"/v1/unsubscribe/{GOOD}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"practice_name": "Riverside Surgery"}
    [request] = gateway.campaign.requests
    assert isinstance(request, Unsubscribe)
    assert (request.org_id, request.token) == (ORG, GOOD)


async def test_following_the_link_does_not_unsubscribe(gateway: Harness) -> None:
    # Link scanners fetch every URL in an email: only a POST may change anything.
    response = await gateway.client.get(f"/v1/unsubscribe/{GOOD}")
    assert response.status_code == 405
    assert gateway.campaign.requests == []


@pytest.mark.parametrize(
    "token",
    [
        f"{ORG}.AAECAwQFBgcICQoLDA0ODw.forged-signature",  # campaign does not know it
        "a81001.AAECAwQFBgcICQoLDA0ODw.good-signature",  # not an ODS code
        f"{ORG}.AAECAwQFBgcICQoLDA0ODw",  # two segments
        f"{ORG}.a+b/cdefghijkl.good-signature",  # not base64url
    ],
)
async def test_a_token_that_is_not_ours_is_404(gateway: Harness, token: str) -> None:
    response = await gateway.client.post(f"/v1/unsubscribe/{token}")
    assert response.status_code == 404


async def test_unsubscribe_is_rate_limited_per_address(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(link_burst=2, link_requests_per_minute=1) as gateway:
        statuses = [
            (await gateway.client.post(f"/v1/unsubscribe/{GOOD}")).status_code for _ in range(3)
        ]
    assert statuses == [200, 200, 429]
