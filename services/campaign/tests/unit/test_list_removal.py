"""Taking a patient list out of a draft: its patients go with it, the counts stay exact, a list
that never finished no longer holds the send, rows of it still being checked are dropped, and
only the most recent list of a draft can go."""

import uuid
from dataclasses import replace

import pytest

from campaign.adapters.mongo_campaigns import MongoCampaignRepository
from campaign.adapters.mongo_database import MongoHandle
from campaign.domain.errors import Conflict, NotFound
from campaign.domain.model import Campaign
from campaign.handlers import audit_trail, lists, review
from campaign.handlers.changes import change_campaign
from campaign.handlers.deps import Deps
from campaign.handlers.list_removal import drop_list, remove_patient_list
from cohort_contracts.campaign_requests import GetAudit, GetReview, RemovePatientList
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import ORG, nhs_number, outcome, rows_resolved
from .helpers import new_campaign, register, req, send, stored_campaign, write_message


async def resolved_list(deps: Deps, campaign_id: uuid.UUID, rows: range) -> uuid.UUID:
    """A list of the patients numbered ``rows``, registered and every row resolved."""
    list_id = await register(deps, campaign_id, len(rows))
    answered = [outcome(i, nhs=nhs_number(n)) for i, n in enumerate(rows, start=1)]
    await lists.record_resolved_rows(rows_resolved(campaign_id, list_id, answered), deps)
    return list_id


def removal(campaign_id: uuid.UUID, list_id: uuid.UUID, **fields: object) -> RemovePatientList:
    return req(RemovePatientList, campaign_id=campaign_id, list_id=list_id, **fields)


async def test_the_latest_list_goes_with_its_patients(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first = await resolved_list(deps, campaign.id, range(1, 4))
    latest = await resolved_list(deps, campaign.id, range(10, 12))
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 5}

    view = await remove_patient_list(removal(campaign.id, latest), deps)

    assert view.counts.recipients == 3
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 3}
    assert await deps.recipients.recount(campaign.id) == {RecipientStatus.READY: 3}
    assert [p.id for p in await deps.lists.for_campaign(campaign.id)] == [first]
    audit = await audit_trail.get_audit(req(GetAudit, campaign_id=campaign.id), deps)
    assert audit.entries[-1].action == "list_removed"
    assert audit.entries[-1].details["patients"] == 2


async def test_a_list_that_never_finished_no_longer_holds_the_send(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    await resolved_list(deps, campaign.id, range(1, 4))
    # Registered for 400 rows; one batch of 2 came back and the rest were never queued.
    stuck = await register(deps, campaign.id, 400)
    answered = [outcome(1, nhs=nhs_number(50)), outcome(2, nhs=nhs_number(51))]
    await lists.record_resolved_rows(rows_resolved(campaign.id, stuck, answered), deps)
    await write_message(deps, campaign.id, "Hello ((first_name))")
    held = await review.get_review(req(GetReview, campaign_id=campaign.id), deps)
    assert held.cannot_send_because == [
        "A patient list is still being checked against PDS; wait for it."
    ]

    await remove_patient_list(removal(campaign.id, stuck), deps)

    ready = await review.get_review(req(GetReview, campaign_id=campaign.id), deps)
    assert (ready.cannot_send_because, ready.recipient_count) == ([], 3)
    sent = await send(deps, campaign.id, 3)
    assert sent.status == "sending"


async def test_rows_still_being_checked_are_dropped_when_they_come_back(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 2)
    await remove_patient_list(removal(campaign.id, list_id), deps)
    late = [outcome(1, nhs=nhs_number(1)), outcome(2, nhs=nhs_number(2))]
    await lists.record_resolved_rows(rows_resolved(campaign.id, list_id, late), deps)
    assert await deps.recipients.counts(campaign.id) == {}
    assert await deps.recipients.recount(campaign.id) == {}


async def test_a_batch_recorded_while_the_list_was_removed_is_deleted(deps: Deps) -> None:
    """The removal has marked the campaign but not yet deleted anything when a batch that
    found the list before the mark stores its patients: the batch deletes them itself."""
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, 2)
    await mark_removed(deps, campaign.id, list_id)
    late = [outcome(1, nhs=nhs_number(1)), outcome(2, nhs=nhs_number(2))]
    await lists.record_resolved_rows(rows_resolved(campaign.id, list_id, late), deps)
    assert await deps.recipients.recount(campaign.id) == {}
    assert await deps.recipients.counts(campaign.id) == {}
    assert await deps.lists.for_campaign(campaign.id) == []


async def mark_removed(deps: Deps, campaign_id: uuid.UUID, list_id: uuid.UUID) -> None:
    """The removal's first step only: the campaign remembers the list as removed, and its
    recipients are not deleted yet (``drop_list`` is the second step)."""

    async def find() -> Campaign:
        return await stored_campaign(deps, campaign_id)

    async def mark(c: Campaign) -> bool:
        return c.remove_list(list_id)

    await change_campaign(deps.campaigns, find, mark)


async def assert_every_patient_kept(deps: Deps, campaign_id: uuid.UUID, kept: uuid.UUID) -> None:
    """Patients 2 and 3, both in ``kept`` (2 also in the removed list): none lost."""
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.READY: 2}
    assert await deps.recipients.recount(campaign_id) == {RecipientStatus.READY: 2}
    assert await deps.lists.unsuccessful(kept, 0, 10) == []
    patient_list = await deps.lists.get(ORG, campaign_id, kept)
    assert patient_list is not None
    assert (await deps.lists.progress(patient_list)).succeeded == 2


async def test_a_list_uploaded_while_another_is_removed_keeps_their_shared_patient(
    deps: Deps,
) -> None:
    """Patient 2 is in the list being removed and in a list uploaded meanwhile: the new list's
    row keeps the patient, instead of being a duplicate of a patient the removal deletes."""
    campaign = await new_campaign(deps)
    removed = await resolved_list(deps, campaign.id, range(1, 3))
    await mark_removed(deps, campaign.id, removed)
    kept = await resolved_list(deps, campaign.id, range(2, 4))
    await drop_list(deps, ORG, campaign.id, removed)
    await assert_every_patient_kept(deps, campaign.id, kept)


class ReadBeforeTheMark(MongoCampaignRepository):
    """Campaigns as a batch saw them when it read the campaign before the removal marked it
    (its first read), and as they are after (every later read)."""

    def __init__(self, mongo: MongoHandle, seen: Campaign) -> None:
        super().__init__(mongo)
        self._seen: Campaign | None = seen

    async def get(self, org_id: str, campaign_id: uuid.UUID) -> Campaign | None:
        seen, self._seen = self._seen, None
        return seen or await super().get(org_id, campaign_id)


async def test_a_batch_that_read_the_campaign_before_the_removal_places_again(
    deps: Deps, mongo: MongoHandle
) -> None:
    campaign = await new_campaign(deps)
    removed = await resolved_list(deps, campaign.id, range(1, 3))
    kept = await register(deps, campaign.id, 2)
    seen = await stored_campaign(deps, campaign.id)
    await mark_removed(deps, campaign.id, removed)

    batch = rows_resolved(
        campaign.id, kept, [outcome(1, nhs=nhs_number(2)), outcome(2, nhs=nhs_number(3))]
    )
    stale = replace(deps, campaigns=ReadBeforeTheMark(mongo, seen))
    await lists.record_resolved_rows(batch, stale)
    await drop_list(deps, ORG, campaign.id, removed)
    await assert_every_patient_kept(deps, campaign.id, kept)


async def test_its_patients_can_be_uploaded_again(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    wrong = await resolved_list(deps, campaign.id, range(1, 3))
    await remove_patient_list(removal(campaign.id, wrong), deps)
    await resolved_list(deps, campaign.id, range(1, 3))  # the right file: the same patients
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 2}


async def test_only_the_most_recent_list(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    first = await resolved_list(deps, campaign.id, range(1, 3))
    await resolved_list(deps, campaign.id, range(1, 3))  # every row a duplicate of the first's
    with pytest.raises(Conflict, match="most recently uploaded"):
        await remove_patient_list(removal(campaign.id, first), deps)
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 2}


async def test_only_before_sending(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await resolved_list(deps, campaign.id, range(1, 3))
    await write_message(deps, campaign.id, "Hello")
    await send(deps, campaign.id, 2)
    with pytest.raises(Conflict, match="before the campaign is sent"):
        await remove_patient_list(removal(campaign.id, list_id), deps)
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 2}


async def test_a_repeated_request_changes_nothing_more(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    await resolved_list(deps, campaign.id, range(1, 3))
    latest = await resolved_list(deps, campaign.id, range(5, 7))
    request = removal(campaign.id, latest)
    await remove_patient_list(request, deps)
    again = await remove_patient_list(request, deps)
    assert again.counts.recipients == 2
    assert await deps.recipients.recount(campaign.id) == {RecipientStatus.READY: 2}


async def test_unknown_or_another_organisations_list_is_not_found(deps: Deps) -> None:
    campaign = await new_campaign(deps)
    list_id = await resolved_list(deps, campaign.id, range(1, 3))
    with pytest.raises(NotFound):
        await remove_patient_list(removal(campaign.id, uuid.uuid4()), deps)
    with pytest.raises(NotFound):
        await remove_patient_list(removal(campaign.id, list_id, org_id="B82002"), deps)
    assert await deps.recipients.counts(campaign.id) == {RecipientStatus.READY: 2}
