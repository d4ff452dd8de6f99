"""Practices and networks through every service: a practice's campaign is reachable by the
practice and its network (GATEWAY_ORGANISATIONS_FILE), and is a 404 to everyone else."""

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from cohort_testing.organisations import (
    NETWORK_A,
    NETWORK_B,
    PRACTICE_A,
    PRACTICE_A2,
    PRACTICE_B,
    write_organisations,
)
from gateway.adapters.token_verifiers import issue_token

from .own_stack import run_stack
from .stack import Stack
from .test_uploads import wait_until_resolved

pytestmark = pytest.mark.e2e

LIST = b"NHS Number,Date of Birth\r\n9999012221,12/07/1984\r\n9999017770,01/12/1931\r\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    path = write_organisations(tmp_path_factory.mktemp("organisations"))
    env = {"GATEWAY_ORGANISATIONS_FILE": str(path), "CAMPAIGN_ORGANISATIONS_FILE": str(path)}
    yield from run_stack(tmp_path_factory, env)


def as_(stack: Stack, org: str, act_for: str | None = None) -> httpx2.Client:
    headers = {"Authorization": f"Bearer {issue_token(stack.jwt_secret, f'user-{org}', org)}"}
    if act_for is not None:
        headers["X-Act-For-Org"] = act_for
    return httpx2.Client(base_url=stack.url("gateway"), headers=headers, timeout=30.0)


def probe(client: httpx2.Client, ids: dict[str, str]) -> dict[str, int]:
    """Every endpoint that reaches one campaign, list or template: its status for ``client``."""
    c, t = f"/v1/campaigns/{ids['campaign']}", f"/v1/templates/{ids['template']}"
    lists = f"{c}/patient-lists"
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", c, {}),
        ("GET", f"{c}/review", {}),
        ("GET", f"{c}/audit", {}),
        ("GET", f"{c}/recipients", {}),
        ("GET", f"{c}/recipients.csv", {}),
        ("GET", f"{lists}/{ids['list']}", {}),
        ("GET", f"{lists}/{ids['list']}/unsuccessful.csv", {}),
        ("PUT", f"{c}/message", {"json": {"body": "Hello ((first_name))"}}),
        ("POST", f"{c}/test-send", {"json": {"channel": "sms", "to": "07700900999"}}),
        ("POST", f"{c}/send", {"json": {"confirm_recipient_count": 999}}),
        ("POST", f"{c}/resume", {}),
        ("PUT", t, {"json": {"name": "Renamed"}}),
    ]
    return {
        f"{method} {url}": client.request(method, url, **kwargs).status_code
        for method, url, kwargs in calls
    }


def test_who_reaches_a_practices_campaign(stack: Stack) -> None:
    owner = as_(stack, PRACTICE_A)
    created = owner.post("/v1/campaigns", json={"name": "Flu", "type": "basic"})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["id"]
    uploaded = owner.post(
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": ("list.csv", LIST, "text/csv")},
        data={"channel": "sms"},
    )
    assert uploaded.status_code == 202, uploaded.text
    wait_until_resolved(owner, uploaded.headers["location"])
    template = owner.post("/v1/templates", json={"name": "T", "type": "basic", "body": "Hi"})
    assert template.status_code == 201, template.text
    ids = {
        "campaign": campaign_id,
        "list": uploaded.json()["id"],
        "template": template.json()["id"],
    }

    for stranger in (as_(stack, PRACTICE_B), as_(stack, PRACTICE_A2), as_(stack, NETWORK_B)):
        statuses = probe(stranger, ids)
        assert set(statuses.values()) == {404}, statuses
    assert set(probe(as_(stack, NETWORK_A, act_for=PRACTICE_A2), ids).values()) == {404}

    # The owner's network: nothing is hidden (the send is refused for its count, not unseen).
    statuses = probe(as_(stack, NETWORK_A), ids)
    assert 404 not in statuses.values(), statuses
    assert all(status < 500 for status in statuses.values()), statuses

    listed = as_(stack, NETWORK_A).get("/v1/campaigns").json()["items"]
    assert campaign_id in {c["id"] for c in listed}
    assert campaign_id not in {
        c["id"] for c in as_(stack, NETWORK_B).get("/v1/campaigns").json()["items"]
    }


def test_a_network_creates_for_a_member_practice_it_names(stack: Stack) -> None:
    body = {"name": "Asthma", "type": "basic"}

    unnamed = as_(stack, NETWORK_A).post("/v1/campaigns", json=body)
    stranger = as_(stack, NETWORK_A, act_for=PRACTICE_B).post("/v1/campaigns", json=body)
    named = as_(stack, NETWORK_A, act_for=PRACTICE_A2).post("/v1/campaigns", json=body)

    assert unnamed.status_code == 422
    assert stranger.status_code == 404
    assert named.status_code == 201, named.text
    assert named.json()["org_id"] == PRACTICE_A2
    own = as_(stack, PRACTICE_A2).get(f"/v1/campaigns/{named.json()['id']}")
    assert own.status_code == 200
    assert as_(stack, PRACTICE_A).get(f"/v1/campaigns/{named.json()['id']}").status_code == 404
