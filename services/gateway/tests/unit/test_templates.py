"""``/v1/templates``: built-in and organisation templates, versioned and archived by campaign."""

import pytest

from cohort_contracts.campaign_requests import (
    ArchiveTemplate,
    CreateTemplate,
    ListTemplates,
    UpdateTemplate,
)

from ..conftest import ORG, USER, Harness
from ..fakes import BUILTIN


async def test_list_shows_builtin_and_own_templates(gateway: Harness) -> None:
    ours = gateway.campaign.add_template(ORG, type="booking")
    gateway.campaign.add_template("B82002")

    response = await gateway.client.get(
        "/v1/templates?type=booking&include_archived=true", headers=gateway.auth()
    )
    everything = await gateway.client.get("/v1/templates", headers=gateway.auth())

    assert response.status_code == 200
    assert [t["id"] for t in response.json()["items"]] == [ours.id]
    assert {t["id"] for t in everything.json()["items"]} == {BUILTIN.id, ours.id}
    request = gateway.campaign.sent(ListTemplates)[0]
    assert (request.type, request.include_archived, request.org_scope) == ("booking", True, [ORG])


async def test_create_update_archive(gateway: Harness) -> None:
    auth = gateway.auth()
    created = await gateway.client.post(
        "/v1/templates",
        json={"name": " Flu ", "type": "basic", "body": "Hello ((first_name))", "subject": "Flu"},
        headers=auth,
    )
    template_id = created.json()["id"]

    updated = await gateway.client.put(
        f"/v1/templates/{template_id}", json={"body": "Hi ((first_name))"}, headers=auth
    )
    archived = await gateway.client.post(f"/v1/templates/{template_id}/archive", headers=auth)

    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/templates/{template_id}"
    assert (created.json()["name"], created.json()["org_id"]) == ("Flu", ORG)
    assert updated.status_code == 200
    assert (updated.json()["version"], updated.json()["body"]) == (2, "Hi ((first_name))")
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    [create] = gateway.campaign.sent(CreateTemplate)
    assert (create.org_id, create.actor, create.subject) == (ORG, USER, "Flu")
    [update] = gateway.campaign.sent(UpdateTemplate)
    assert (update.template_id, update.name, update.body) == (
        template_id,
        None,
        "Hi ((first_name))",
    )
    assert isinstance(gateway.campaign.sent(ArchiveTemplate)[0], ArchiveTemplate)


async def test_a_builtin_cannot_be_changed(gateway: Harness) -> None:
    response = await gateway.client.put(
        f"/v1/templates/{BUILTIN.id}", json={"name": "Mine now"}, headers=gateway.auth()
    )

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "path", "body", "fields"),
    [
        ("POST", "/v1/templates", {"name": "x", "type": "basic"}, ["body.body"]),
        (
            "POST",
            "/v1/templates",
            {"name": "", "type": "sms", "body": "b"},
            ["body.name", "body.type"],
        ),
        ("PUT", "/v1/templates/t-1", {}, ["body"]),
        ("PUT", "/v1/templates/t-1", {"body": ""}, ["body.body"]),
        ("PUT", "/v1/templates/" + "x" * 101, {"name": "n"}, ["path.template_id"]),
        ("GET", "/v1/templates?type=nope", None, ["query.type"]),
    ],
)
async def test_bad_input_is_422(
    gateway: Harness,
    method: str,
    path: str,
    body: dict[str, object] | None,
    fields: list[str],
) -> None:
    response = await gateway.client.request(method, path, json=body, headers=gateway.auth())

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"] == fields
    assert gateway.campaign.requests == []
