"""Organisation scope: a practice sees its own; a network user reaches its member practices."""

import pytest

from campaign.domain.errors import Conflict, NotFound
from campaign.handlers import campaigns, lists
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts import campaign_requests as requests

from .helpers import req
from .messaging import add_patients, compose, create, review_of

PRACTICE_A, PRACTICE_B, PRACTICE_C, NETWORK = "A81001", "A81002", "C83003", "U12345"
SCOPE = [PRACTICE_A, PRACTICE_B]


async def test_a_network_user_lists_every_member_practices_campaigns(deps: Deps) -> None:
    a = await create(deps, org=PRACTICE_A)
    b = await create(deps, org=PRACTICE_B)
    await create(deps, org=PRACTICE_C)

    page = await campaigns.list_campaigns(
        req(requests.ListCampaigns, org_id=NETWORK, org_scope=SCOPE), deps
    )
    assert {c.id for c in page.items} == {a.id, b.id}
    assert page.total == 2
    own = await campaigns.list_campaigns(req(requests.ListCampaigns, org_id=PRACTICE_A), deps)
    assert [c.id for c in own.items] == [a.id]


async def test_reads_find_a_campaign_only_within_scope(deps: Deps) -> None:
    b = await create(deps, org=PRACTICE_B)
    list_id = await add_patients(deps, b.id, [("Ann", "Jones")], org=PRACTICE_B)
    got = await campaigns.get_campaign(
        req(requests.GetCampaign, org_id=NETWORK, org_scope=SCOPE, campaign_id=b.id), deps
    )
    assert got.org_id == PRACTICE_B
    recipients = await campaigns.list_recipients(
        req(requests.ListRecipients, org_id=NETWORK, org_scope=SCOPE, campaign_id=b.id), deps
    )
    assert recipients.total == 1
    patient_list = await lists.get_patient_list(
        req(
            requests.GetPatientList,
            org_id=NETWORK,
            org_scope=SCOPE,
            campaign_id=b.id,
            list_id=list_id,
        ),
        deps,
    )
    assert patient_list.succeeded == 1

    outsider = {"org_id": PRACTICE_C}
    with pytest.raises(NotFound):
        await campaigns.get_campaign(req(requests.GetCampaign, campaign_id=b.id, **outsider), deps)
    with pytest.raises(NotFound):
        await campaigns.list_recipients(
            req(requests.ListRecipients, campaign_id=b.id, **outsider), deps
        )
    with pytest.raises(NotFound):
        await review_of(deps, b.id, **outsider)
    with pytest.raises(NotFound):
        await compose(deps, b.id, "Hijacked", **outsider)


async def test_a_network_user_writes_in_the_campaigns_own_organisation(deps: Deps) -> None:
    b = await create(deps, org=PRACTICE_B)
    composed = await compose(deps, b.id, "Hello", org_id=NETWORK, org_scope=SCOPE)
    assert composed.org_id == PRACTICE_B
    stored = await deps.campaigns.get(PRACTICE_B, b.id)
    assert stored is not None
    assert stored.message is not None
    assert stored.message.body == "Hello"


async def test_a_pages_patients_are_read_only_from_its_campaign_and_organisation(
    deps: Deps,
) -> None:
    """Appointments and questionnaire responses name their patients by id, read together: an
    id of another campaign, or of another practice, is never one of them."""
    ours = await create(deps, org=PRACTICE_A)
    other = await create(deps, org=PRACTICE_A)
    theirs = await create(deps, org=PRACTICE_B)
    ids: dict[object, list[str]] = {}
    for campaign, org in ((ours, PRACTICE_A), (other, PRACTICE_A), (theirs, PRACTICE_B)):
        await add_patients(deps, campaign.id, [("Ann", "Jones"), ("Bob", "Hill")], org=org)
        page, _ = await deps.recipients.page(RecipientListing(org, campaign.id), 0, 10)
        ids[campaign.id] = [r.id for r in page]
    everyone = [i for group in ids.values() for i in group]

    found = await deps.recipients.of_campaign(PRACTICE_A, ours.id, everyone)

    assert sorted(found) == sorted(ids[ours.id])
    assert all(r.campaign_id == ours.id for r in found.values())
    assert await deps.recipients.of_campaign(PRACTICE_B, ours.id, everyone) == {}


async def test_a_create_whose_request_id_names_another_organisations_campaign_is_refused(
    deps: Deps,
) -> None:
    theirs = await create(deps, org=PRACTICE_B)
    create_a = req(
        requests.CreateCampaign, org_id=PRACTICE_A, name="Flu", type="basic", message_id=theirs.id
    )

    with pytest.raises(Conflict, match="already in use"):
        await campaigns.create_campaign(create_a, deps)
    # A repeat of the request that made it answers with it, as made.
    create_b = create_a.model_copy(update={"org_id": PRACTICE_B, "name": "Other"})
    assert (await campaigns.create_campaign(create_b, deps)).name == theirs.name
