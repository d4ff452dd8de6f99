import uuid
from typing import Any

import pytest
from pymongo.errors import BulkWriteError

from campaign.adapters.mongo_campaigns import MongoPatientListRepository
from campaign.adapters.mongo_database import MongoHandle
from campaign.domain.errors import NotFound
from campaign.domain.rows import ListRow
from campaign.handlers import lists
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.campaign_requests import GetPatientList, GetUnsuccessfulRows
from cohort_contracts.campaign_views import UnsuccessfulRowsPage
from cohort_contracts.ingest import RowOutcome
from cohort_contracts.vocabulary import ListStatus, RecipientStatus, UploadReason
from cohort_testing.mongo_faults import unconfirmed_inserts

from ..builders import ORG, nhs_number, outcome, rows_resolved
from .helpers import new_campaign, register, req


async def _list(deps: Deps, campaign_id: uuid.UUID, list_id: uuid.UUID, org: str = ORG):  # type: ignore[no-untyped-def]
    request = req(GetPatientList, org_id=org, actor="u", campaign_id=campaign_id, list_id=list_id)
    return await lists.get_patient_list(request, deps)


async def _unsuccessful(
    deps: Deps, campaign_id: uuid.UUID, list_id: uuid.UUID, **fields: Any
) -> UnsuccessfulRowsPage:
    request = req(
        GetUnsuccessfulRows, actor="u", campaign_id=campaign_id, list_id=list_id, **fields
    )
    return await lists.get_unsuccessful_rows(request, deps)


async def _record(
    deps: Deps, campaign_id: uuid.UUID, list_id: uuid.UUID, *rows: RowOutcome, **overrides: Any
) -> None:
    """Ingest's batch of the list's ``rows``, recorded as resolved."""
    await lists.record_resolved_rows(
        rows_resolved(campaign_id, list_id, list(rows), **overrides), deps
    )


async def test_rows_are_counted_by_outcome_and_reason(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 4)
    await _record(
        deps,
        campaign.id,
        list_id,
        outcome(1),
        outcome(2, reason=UploadReason.NOT_FOUND),
        outcome(3, reason=UploadReason.NOT_FOUND),
        outcome(4, reason=UploadReason.DECEASED),
    )

    view = await _list(deps, campaign.id, list_id)
    assert view.status is ListStatus.COMPLETE
    assert (view.processed_rows, view.succeeded, view.failed) == (4, 1, 3)
    assert {(r.reason_code, r.count) for r in view.failed_by_reason} == {
        (UploadReason.NOT_FOUND, 2),
        (UploadReason.DECEASED, 1),
    }


async def test_a_redelivered_batch_changes_nothing(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 3)
    event = rows_resolved(
        campaign.id, list_id, [outcome(1), outcome(2), outcome(3, reason=UploadReason.NOT_FOUND)]
    )
    await lists.record_resolved_rows(event, deps)
    await lists.record_resolved_rows(event, deps)

    view = await _list(deps, campaign.id, list_id)
    assert (view.processed_rows, view.succeeded, view.failed) == (3, 2, 1)
    counts = await deps.recipients.counts(campaign.id)
    assert counts == {RecipientStatus.READY: 2}


async def test_the_same_patient_twice_is_a_duplicate_after_the_first(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first = await register(deps, campaign.id, 2)
    second = await register(deps, campaign.id, 1)
    same = nhs_number(42)
    await _record(deps, campaign.id, first, outcome(1, nhs=same), outcome(2, nhs=same))
    await _record(deps, campaign.id, second, outcome(1, nhs=same))

    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 1}
    page = await _unsuccessful(deps, campaign.id, first)
    assert [(r.row_number, r.reason_code) for r in page.rows] == [
        (2, UploadReason.DUPLICATE_PATIENT)
    ]
    assert (await _list(deps, campaign.id, second)).failed == 1


async def test_unsuccessful_rows_page_in_row_order_with_original_cells(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 5)
    outcomes = [outcome(i, reason=UploadReason.INVALID_NHS_NUMBER) for i in (5, 3, 1)]
    await _record(deps, campaign.id, list_id, *outcomes)

    page = await _unsuccessful(deps, campaign.id, list_id, limit=2)
    assert [r.row_number for r in page.rows] == [1, 3]
    assert page.columns == ["NHS Number", "Date of Birth", "Notes"]
    assert page.rows[0].cells[2] == "extra-1"
    assert "check digit" in page.rows[0].reason
    rest = await _unsuccessful(deps, campaign.id, list_id, limit=2, after_row=3)
    assert [r.row_number for r in rest.rows] == [5]
    assert rest.next_after is None


async def test_another_organisation_cannot_see_a_list(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 1)
    with pytest.raises(NotFound):
        await _list(deps, campaign.id, list_id, org="B82002")
    with pytest.raises(NotFound):
        await register(deps, campaign.id, 1, org="B82002")


async def test_the_first_occurrence_wins_whatever_order_batches_arrive_in(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first_list = await register(deps, campaign.id, 300)
    second_list = await register(deps, campaign.id, 1)
    same = nhs_number(77)
    # The second list's batch, then the first list's later batch, then its first batch.
    await _record(deps, campaign.id, second_list, outcome(1, nhs=same))
    await _record(deps, campaign.id, first_list, outcome(250, nhs=same), batch_number=1)
    await _record(deps, campaign.id, first_list, outcome(5, nhs=same), batch_number=0)

    recipients, total = await deps.recipients.page(RecipientListing(ORG, campaign.id), 0, 10)
    assert total == 1
    assert (recipients[0].list_id, recipients[0].row_number) == (first_list, 5)

    async def failed_rows(list_id: uuid.UUID) -> list[tuple[int, UploadReason]]:
        page = await _unsuccessful(deps, campaign.id, list_id)
        return [(r.row_number, r.reason_code) for r in page.rows]

    assert await failed_rows(first_list) == [(250, UploadReason.DUPLICATE_PATIENT)]
    assert await failed_rows(second_list) == [(1, UploadReason.DUPLICATE_PATIENT)]


async def test_rows_the_replica_set_did_not_acknowledge_are_not_taken_as_recorded(
    mongo: MongoHandle,
) -> None:
    """A batch redelivered after part of it was stored, whose inserts the primary applied but
    the write concern did not acknowledge (a failover may roll them back): the error reaches
    the handler, so the batch is delivered and written again, rather than hiding behind the
    duplicates."""
    campaign_id, list_id = uuid.uuid4(), uuid.uuid4()
    first, second = (
        ListRow(list_id, campaign_id, ORG, row, ["x"], reason_code=None, recipient_id=None)
        for row in (1, 2)
    )
    await MongoPatientListRepository(mongo).record_rows([first])
    with unconfirmed_inserts(mongo), pytest.raises(BulkWriteError):
        await MongoPatientListRepository(mongo).record_rows([first, second])
