"""Views name people: the name a person's sign-in gave with their last request stands beside
the id wherever a view names them (the campaign, the overview, the audit trail), and one
organisation never learns another's names."""

from datetime import UTC, datetime
from typing import Any

from campaign.handlers.deps import Deps
from campaign.handlers.people import people_in_trail
from campaign.handlers.requests import answer
from cohort_contracts.campaign_requests import (
    CreateCampaign,
    GetAudit,
    GetCampaign,
    ListCampaigns,
)
from cohort_contracts.campaign_views import AuditEntry, AuditLog, CampaignPage, CampaignView

from ..builders import ORG
from .helpers import req

OTHER_ORG = "B82002"


async def ask(deps: Deps, request: Any) -> Any:
    reply = await answer(request, deps)
    assert reply.error is None, reply.error
    return reply.result


async def test_a_campaign_names_who_created_it_by_the_name_their_sign_in_gave(
    deps: Deps,
) -> None:
    created: CampaignView = await ask(
        deps,
        req(CreateCampaign, name="Flu", type="basic", actor="u-71", actor_name="Priya Shah"),
    )
    assert created.people == {"u-71": "Priya Shah"}

    # Read later by someone whose token has no name: the creator is still named.
    read: CampaignView = await ask(
        deps, req(GetCampaign, campaign_id=created.id, actor="u-99", actor_name=None)
    )
    assert read.people == {"u-71": "Priya Shah"}
    page: CampaignPage = await ask(deps, req(ListCampaigns, actor="u-99"))
    assert [c.people for c in page.items] == [{"u-71": "Priya Shah"}]


async def test_the_latest_name_is_the_one_shown(deps: Deps) -> None:
    first = req(CreateCampaign, name="Flu", type="basic", actor="u-71", actor_name="Priya Shah")
    created: CampaignView = await ask(deps, first)
    renamed = req(GetCampaign, campaign_id=created.id, actor="u-71", actor_name="Priya Jones")

    read: CampaignView = await ask(deps, renamed)

    assert read.people == {"u-71": "Priya Jones"}


async def test_no_name_is_shown_for_a_token_without_one(deps: Deps) -> None:
    created: CampaignView = await ask(
        deps, req(CreateCampaign, name="Flu", type="basic", actor="api-client")
    )

    assert created.people == {}


async def test_one_organisation_never_reads_anothers_names(deps: Deps) -> None:
    # The same user id in two organisations (e.g. two provider tenants): each keeps its own.
    ours: CampaignView = await ask(
        deps, req(CreateCampaign, name="Flu", type="basic", actor="u-1", actor_name="Ann Ours")
    )
    theirs = req(
        CreateCampaign,
        org_id=OTHER_ORG,
        name="Flu",
        type="basic",
        actor="u-1",
        actor_name="Bea Theirs",
    )
    other: CampaignView = await ask(deps, theirs)

    read: CampaignView = await ask(deps, req(GetCampaign, campaign_id=ours.id, org_id=ORG))

    assert read.people == {"u-1": "Ann Ours"}
    assert other.people == {"u-1": "Bea Theirs"}


async def test_the_audit_trail_names_its_actors(deps: Deps) -> None:
    created: CampaignView = await ask(
        deps,
        req(CreateCampaign, name="Flu", type="basic", actor="u-71", actor_name="Priya Shah"),
    )

    log: AuditLog = await ask(deps, req(GetAudit, campaign_id=created.id, actor="u-2"))

    assert [e.actor for e in log.entries] == ["u-71"]
    assert log.people == {"u-71": "Priya Shah"}


async def test_the_trail_names_who_asked_for_a_send_an_approver_decided_on(deps: Deps) -> None:
    await deps.people.note(ORG, "u-71", "Priya Shah")
    await deps.people.note(ORG, "u-72", "Tom Reid")
    approved = AuditEntry(
        at=datetime.now(UTC), actor="u-72", action="approved", details={"requested_by": "u-71"}
    )

    assert await people_in_trail(deps, ORG, [approved]) == {
        "u-71": "Priya Shah",
        "u-72": "Tom Reid",
    }
