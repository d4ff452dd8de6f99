"""Templates: built in and the organisation's own, versioned, archived, used by campaigns."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from campaign.domain.builtin_templates import BUILTIN_TEMPLATES
from campaign.domain.errors import Conflict, InvalidMessage, NotFound
from campaign.domain.model import Campaign, Message
from campaign.domain.rendering import check_placeholders
from campaign.handlers import campaigns, templates
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import (
    ArchiveTemplate,
    CreateTemplate,
    GetCampaign,
    ListTemplates,
    UpdateTemplate,
)
from cohort_contracts.campaign_views import TemplateView
from cohort_nhs import is_gsm, sms_fragments

from ..builders import ORG, make_renderer
from .helpers import req
from .messaging import SETTINGS, compose, create

OTHER_ORG = "B82002"


async def _create(deps: Deps, org: str = ORG, **fields: Any) -> TemplateView:
    fields = {"name": "Diabetes review", "type": "basic", "body": "Dear ((first_name))", **fields}
    return await templates.create_template(req(CreateTemplate, org_id=org, **fields), deps)


async def _list(deps: Deps, org: str = ORG, **fields: Any) -> list[TemplateView]:
    return (await templates.list_templates(req(ListTemplates, org_id=org, **fields), deps)).items


async def _update(deps: Deps, template_id: str, **fields: Any) -> TemplateView:
    return await templates.update_template(
        req(UpdateTemplate, template_id=template_id, **fields), deps
    )


def test_every_builtin_template_is_valid_gsm_and_at_most_two_texts_with_its_link() -> None:
    assert len({t.id for t in BUILTIN_TEMPLATES}) == len(BUILTIN_TEMPLATES)
    assert {t.type for t in BUILTIN_TEMPLATES} == {"basic", "booking", "questionnaire"}
    renderer = make_renderer()
    for t in BUILTIN_TEMPLATES:
        assert t.id.startswith("builtin:")
        check_placeholders(t.type, t.body, t.subject)
        c = Campaign(uuid.uuid4(), ORG, "c", t.type, "u", datetime.now(UTC), **SETTINGS[t.type])
        c.message = Message(t.body, t.subject)
        body = renderer.render(c, uuid.uuid4().hex, "Elizabeth", "Smith").body
        assert is_gsm(body), t.id
        assert sms_fragments(body) <= 2, t.id


async def test_builtins_and_the_organisations_own_are_listed_by_type(deps: Deps) -> None:
    own = await _create(deps, type="booking", body="Hello ((first_name))")
    await _create(deps, org=OTHER_ORG, name="Not ours")
    listed = await _list(deps, type="booking")
    assert {t.type for t in listed} == {"booking"}
    assert "builtin:flu-invite" in {t.id for t in listed if t.builtin}
    assert [t.id for t in listed if not t.builtin] == [own.id]
    assert {t.id for t in await _list(deps)} >= {"builtin:shingles-info", "builtin:flu-invite"}


async def test_a_template_with_a_bad_placeholder_is_refused(deps: Deps) -> None:
    with pytest.raises(InvalidMessage) as refused:
        await _create(deps, body="Dear ((firstname)) ((surname))")
    assert refused.value.details["unknown_placeholders"] == ["surname"]
    with pytest.raises(InvalidMessage):
        await _create(deps, type="basic", body="Book: ((link))")
    assert not [t for t in await _list(deps) if not t.builtin]


async def test_creating_again_with_the_same_request_creates_one(deps: Deps) -> None:
    request = req(CreateTemplate, name="Recall", type="basic", body="Hello")
    first = await templates.create_template(request, deps)
    again = await templates.create_template(request, deps)
    assert first == again
    assert len([t for t in await _list(deps) if not t.builtin]) == 1


async def test_editing_makes_a_new_version_and_campaigns_keep_the_text_they_used(
    deps: Deps,
) -> None:
    template = await _create(deps, body="Version one for ((first_name))", subject="One")
    campaign = await create(deps)
    composed = await compose(deps, campaign.id, template_id=template.id)
    assert composed.message is not None
    assert (composed.message.body, composed.message.subject) == (
        "Version one for ((first_name))",
        "One",
    )
    assert (composed.template_id, composed.template_version) == (template.id, 1)

    edited = await _update(deps, template.id, body="Version two")
    assert (edited.version, edited.body, edited.subject, edited.name) == (
        2,
        "Version two",
        "One",
        template.name,
    )
    view = await campaigns.get_campaign(req(GetCampaign, campaign_id=campaign.id), deps)
    assert view.message is not None
    assert view.message.body == "Version one for ((first_name))"
    stored = await deps.templates.version(template.id, 1)
    assert stored is not None
    assert stored.body == "Version one for ((first_name))"

    later = await create(deps)
    recomposed = await compose(deps, later.id, template_id=template.id)
    assert recomposed.message is not None
    assert (recomposed.message.body, recomposed.template_version) == ("Version two", 2)


async def test_a_redelivered_edit_makes_one_version(deps: Deps) -> None:
    template = await _create(deps)
    request = req(UpdateTemplate, template_id=template.id, body="Edited")
    assert (await templates.update_template(request, deps)).version == 2
    assert (await templates.update_template(request, deps)).version == 2
    assert await deps.templates.version(template.id, 3) is None


async def test_builtin_templates_cannot_be_changed_but_can_be_used(deps: Deps) -> None:
    with pytest.raises(Conflict):
        await _update(deps, "builtin:flu-invite", body="Mine now")
    with pytest.raises(Conflict):
        await templates.archive_template(
            req(ArchiveTemplate, template_id="builtin:flu-invite"), deps
        )
    campaign = await create(deps, "booking")
    composed = await compose(deps, campaign.id, template_id="builtin:flu-invite")
    assert composed.message is not None
    assert "flu" in composed.message.body
    assert (composed.template_id, composed.template_version) == ("builtin:flu-invite", 1)


async def test_a_template_of_another_type_or_archived_cannot_be_used(deps: Deps) -> None:
    campaign = await create(deps, "basic")
    with pytest.raises(InvalidMessage) as wrong_type:
        await compose(deps, campaign.id, template_id="builtin:flu-invite")
    assert wrong_type.value.details["field"] == "template_id"

    own = await _create(deps)
    archived = await templates.archive_template(req(ArchiveTemplate, template_id=own.id), deps)
    assert archived.archived
    with pytest.raises(InvalidMessage):
        await compose(deps, campaign.id, template_id=own.id)
    with pytest.raises(Conflict):
        await _update(deps, own.id, body="Too late")
    assert own.id not in {t.id for t in await _list(deps)}
    assert own.id in {t.id for t in await _list(deps, include_archived=True)}


async def test_body_and_template_are_one_or_the_other(deps: Deps) -> None:
    campaign = await create(deps)
    with pytest.raises(InvalidMessage):
        await compose(deps, campaign.id, body="Hi", template_id="builtin:shingles-info")
    with pytest.raises(InvalidMessage):
        await compose(deps, campaign.id)


async def test_another_organisations_template_is_not_found(deps: Deps) -> None:
    theirs = await _create(deps, org=OTHER_ORG)
    campaign = await create(deps)
    with pytest.raises(NotFound):
        await compose(deps, campaign.id, template_id=theirs.id)
    with pytest.raises(NotFound):
        await _update(deps, theirs.id, body="Mine now")
