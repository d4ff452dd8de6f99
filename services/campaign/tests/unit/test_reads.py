"""The reads behind the staff web app: a campaign's lists, one recipient, and pages of them."""

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from campaign.domain.errors import NotFound
from campaign.handlers import campaigns, lists, reads
from campaign.handlers.deps import Deps
from cohort_contracts import campaign_requests as requests
from cohort_contracts.campaign_views import RecipientPage
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import nhs_number, outcome, rows_resolved
from .helpers import campaign_with_recipients, new_campaign, register, req


async def test_every_list_of_a_campaign_in_upload_order(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first = await register(deps, campaign.id, 3)
    second = await register(deps, campaign.id, 5)

    view = await reads.list_patient_lists(
        req(requests.ListPatientLists, campaign_id=campaign.id), deps
    )

    assert view.campaign_id == campaign.id
    assert [(item.id, item.total_rows) for item in view.items] == [(first, 3), (second, 5)]
    assert all(item.status == "resolving" for item in view.items)


async def test_lists_of_another_organisation_are_not_found(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    with pytest.raises(NotFound):
        await reads.list_patient_lists(
            req(requests.ListPatientLists, org_id="B82002", campaign_id=campaign.id), deps
        )


async def test_one_recipient_by_id_only_within_its_campaign(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    page = await campaigns.list_recipients(
        req(requests.ListRecipients, campaign_id=campaign_id), deps
    )
    wanted = page.items[1]

    found = await reads.get_recipient(
        req(requests.GetRecipient, campaign_id=campaign_id, recipient_id=wanted.id), deps
    )
    assert found == wanted

    other = await new_campaign(deps)
    with pytest.raises(NotFound):
        await reads.get_recipient(
            req(requests.GetRecipient, campaign_id=other.id, recipient_id=wanted.id), deps
        )
    with pytest.raises(NotFound):
        await reads.get_recipient(
            req(
                requests.GetRecipient,
                org_id="B82002",
                campaign_id=campaign_id,
                recipient_id=wanted.id,
            ),
            deps,
        )


async def test_the_pages_after_cursors_are_the_numbered_pages(deps: Deps) -> None:
    """Two lists, so that a page runs from one list into the next: reading on from each
    page's cursor gives the pages reading by number gives, without counting through those
    before (the whole download of a large campaign reads this way)."""
    campaign_id, _ = await campaign_with_recipients(deps, 7)
    second = await register(deps, campaign_id, 6)
    rows = [outcome(row, nhs=nhs_number(100 + row)) for row in range(1, 7)]
    await lists.record_resolved_rows(rows_resolved(campaign_id, second, rows), deps)

    async def listed(**paging: Any) -> RecipientPage:
        request = req(requests.ListRecipients, campaign_id=campaign_id, page_size=4, **paging)
        return await campaigns.list_recipients(request, deps)

    numbered = [[r.id for r in (await listed(page=n)).items] for n in range(1, 5)]
    cursored: list[list[str]] = []
    after = None
    while True:
        page = await listed(after=after)
        cursored.append([r.id for r in page.items])
        if (after := page.next_after) is None:
            break

    assert [len(ids) for ids in numbered] == [4, 4, 4, 1]
    assert cursored == numbered
    assert (await listed(page=4)).next_after is None
    assert (await listed(page=3)).total == 13
    first = await listed(status=RecipientStatus.READY)
    ready = await listed(status=RecipientStatus.READY, after=first.next_after)
    assert [r.id for r in ready.items] == numbered[1]


def test_a_cursor_that_is_not_one_is_refused() -> None:
    for cursor in ("", "page-2", "0a:1", f"{uuid.uuid4()}:-1", f"{uuid.uuid4()}"):
        with pytest.raises(ValidationError):
            req(requests.ListRecipients, campaign_id=uuid.uuid4(), after=cursor)
