"""Every /v1 route needs a valid bearer token; the token's org is the only tenancy."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest

from cohort_contracts.campaign_requests import GetCampaign
from gateway.adapters.token_verifiers import issue_token

from ..conftest import JWT_SECRET, ORG, Harness


def token(secret: str = JWT_SECRET, **claims: object) -> str:
    """A token of the gateway's issuer and audience, signed with ``secret``; ``claims`` change
    or (as None) leave out the standard ones."""
    values: dict[str, object] = {
        "sub": "user-1",
        "org": ORG,
        "iss": "cohort",
        "aud": "cohort-gateway",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    values.update(claims)
    return jwt.encode({k: v for k, v in values.items() if v is not None}, secret, "HS256")


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


async def test_missing_token_is_401_with_a_bearer_challenge(gateway: Harness) -> None:
    response = await gateway.client.get("/v1/campaigns")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthorized"
    assert gateway.campaign.requests == []


async def test_wrong_scheme_is_401(gateway: Harness) -> None:
    response = await gateway.client.get("/v1/campaigns", headers={"Authorization": "Basic eDp5"})

    assert response.status_code == 401


@pytest.mark.parametrize(
    ("bad_token", "message"),
    [
        (token(exp=datetime.now(UTC) - timedelta(minutes=5)), "expired"),
        (token(secret="another-secret-that-is-32-bytes-long!!", sub="u"), "not valid"),
        (token(org=None), "'org'"),
        (token(sub=None), "'sub'"),
        (token(exp=None), "'exp'"),
        (token(org="a81001"), "ODS code"),
        (token(iss="someone-else"), "another issuer"),
        (token(aud="another-api"), "not for this service"),
        ("not-a-jwt", "not valid"),
        (jwt.encode({"sub": "u", "org": ORG}, "", "none"), "not valid"),
    ],
    ids=[
        "expired",
        "wrong-key",
        "no-org",
        "no-sub",
        "no-exp",
        "bad-org",
        "wrong-iss",
        "wrong-aud",
        "garbage",
        "alg-none",
    ],
)
async def test_invalid_tokens_are_401(gateway: Harness, bad_token: str, message: str) -> None:
    response = await gateway.client.get("/v1/campaigns", headers=bearer(bad_token))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert message in response.json()["error"]["message"]
    assert gateway.campaign.requests == []


async def test_auth_is_checked_before_the_body_is_read(gateway: Harness) -> None:
    response = await gateway.client.post(
        "/v1/campaigns", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 401


PUBLIC = ("/v1/webhooks", "/v1/links", "/v1/unsubscribe")
#: The patient service's API: its own token, never a staff one (test_patient_links.py).
PATIENT_SERVICE = "/v1/patient-links"


async def test_every_v1_route_except_webhooks_and_links_requires_a_token(gateway: Harness) -> None:
    spec = (await gateway.client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith(PUBLIC) or not path.startswith("/v1"):
                assert "security" not in operation
                continue
            if path.startswith(PATIENT_SERVICE):
                assert operation["security"] == [{"PatientService": []}], (method, path)
                continue
            assert operation["security"] == [{"HTTPBearer": []}], (method, path)
            url = path.format(
                campaign_id=uuid4(),
                list_id=uuid4(),
                template_id="t-1",
                recipient_id="ab12",
                suppression_id="0" * 32,
            )
            response = await gateway.client.request(method.upper(), url)
            assert response.status_code == 401, (method, path)


async def test_requests_carry_the_tokens_org_and_user(gateway: Harness) -> None:
    mine = gateway.campaign.add_campaign(org_id="B82002")

    response = await gateway.client.get(
        f"/v1/campaigns/{mine.id}", headers=gateway.auth(org="B82002", user="alice")
    )

    assert response.status_code == 200
    [request] = gateway.campaign.requests
    assert isinstance(request, GetCampaign)
    assert (request.org_id, request.actor) == ("B82002", "alice")


async def test_requests_carry_the_name_the_token_gives_for_staff_to_read(
    gateway: Harness,
) -> None:
    mine = gateway.campaign.add_campaign()
    url = f"/v1/campaigns/{mine.id}"

    await gateway.client.get(url, headers=gateway.auth(user="alice", name="  Alice Smith "))
    await gateway.client.get(url, headers=gateway.auth(user="api-client"))
    await gateway.client.get(url, headers=gateway.auth(user="bob", name="B" * 300))

    named, unnamed, long = [r for r in gateway.campaign.requests if isinstance(r, GetCampaign)]
    assert (named.actor, named.actor_name) == ("alice", "Alice Smith")
    assert (unnamed.actor, unnamed.actor_name) == ("api-client", None)
    assert long.actor_name == "B" * 200  # what a request carries; never a refusal


async def test_another_orgs_campaign_is_404(gateway: Harness) -> None:
    theirs = gateway.campaign.add_campaign(org_id="B82002")

    response = await gateway.client.get(f"/v1/campaigns/{theirs.id}", headers=gateway.auth())

    assert response.status_code == 404
    assert gateway.campaign.requests[0].org_id == ORG


def test_issue_token_rejects_a_bad_org() -> None:
    with pytest.raises(ValueError, match="ODS"):
        issue_token(JWT_SECRET, "u", "not an org")
