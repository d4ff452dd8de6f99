"""Re-check before sending: a list resolved longer ago than CAMPAIGN_RECHECK_AFTER_H is checked
with PDS again (through ingest) as it is released, and nobody is sent to on stale details."""

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from campaign.adapters.mongo_database import MongoHandle
from campaign.handlers import reads, rechecks
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import GetRecipient
from cohort_contracts.ingest import PatientsRechecked, RecheckOutcome, RecheckPatients
from cohort_contracts.routing import RECHECK_PATIENTS
from cohort_contracts.vocabulary import RecipientStatus, SendReason, UploadReason

from ..builders import ORG, failed_recipient
from ..fakes import FakePublisher
from .helpers import cid, release_now, released, sending


def _published(publisher: FakePublisher, route: object, kind: type) -> list[Any]:
    return [m for r, m in publisher.published if r == route and isinstance(m, kind)]


def _answer(command: RecheckPatients, outcomes: dict[str, RecheckOutcome]) -> PatientsRechecked:
    return PatientsRechecked(
        correlation_id=command.correlation_id,
        org_id=command.org_id,
        campaign_id=command.campaign_id,
        batch_id=command.batch_id,
        outcomes=[outcomes[i.recipient_id] for i in command.items],
    )


async def test_stale_recipients_wait_for_pds_and_go_only_as_pds_has_them_now(
    deps: Deps, publisher: FakePublisher
) -> None:
    deps = dataclasses.replace(deps, recheck_after_s=0)  # every recipient is stale
    campaign_id = await sending(deps, 4)

    assert await release_now(deps, campaign_id) == 0
    assert await release_now(deps, campaign_id) == 0  # waiting: not asked twice, not sent
    # In release batches (of 3 here): one command per batch.
    commands = _published(publisher, RECHECK_PATIENTS, RecheckPatients)
    assert [len(c.items) for c in commands] == [3, 1]
    assert released(publisher) == []
    items = [i for c in commands for i in c.items]
    first, died, moved, no_phone = (i.recipient_id for i in items)
    outcomes = {
        first: RecheckOutcome(recipient_id=first, contact=items[0].contact),
        died: RecheckOutcome(recipient_id=died, reason_code=UploadReason.DECEASED),
        moved: RecheckOutcome(recipient_id=moved, contact="447700900999", language="Polish"),
        no_phone: RecheckOutcome(
            recipient_id=no_phone, reason_code=UploadReason.NO_TELEPHONE_CONTACT
        ),
    }
    for command in [*commands, commands[0]]:  # the first answer is delivered twice
        await rechecks.record_rechecks(_answer(command, outcomes), deps)

    assert await release_now(deps, campaign_id) == 2
    sent = {m.recipient_id: m.to for c in released(publisher)
            for m in c.messages}  # fmt: skip
    assert sent == {first: items[0].contact, moved: "447700900999"}
    assert len(_published(publisher, RECHECK_PATIENTS, RecheckPatients)) == 2
    view = await reads.get_recipient(
        GetRecipient(
            correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id, recipient_id=died
        ),
        deps,
    )
    assert (view.status, view.reason_code) == (RecipientStatus.FAILED, UploadReason.DECEASED)
    assert view.reason is not None
    assert view.reason.startswith("Checked again with PDS before sending")
    counts = await deps.recipients.counts(campaign_id)
    assert counts == {RecipientStatus.QUEUED: 2, RecipientStatus.FAILED: 2}


async def test_a_list_resolved_within_the_limit_is_sent_without_a_recheck(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id = await sending(deps, 3)  # resolved just now; the limit is 24 hours
    assert await release_now(deps, campaign_id) == 3
    assert _published(publisher, RECHECK_PATIENTS, RecheckPatients) == []


async def test_a_list_older_than_the_limit_is_rechecked(
    deps: Deps, publisher: FakePublisher, mongo: MongoHandle
) -> None:
    campaign_id = await sending(deps, 2)
    # As if the list had been resolved 25 hours ago.
    await mongo.db["recipients"].update_many(
        {"campaign_id": str(campaign_id)},
        {"$set": {"checked_at": datetime.now(UTC) - timedelta(hours=25)}},
    )
    assert await release_now(deps, campaign_id) == 0
    [command] = _published(publisher, RECHECK_PATIENTS, RecheckPatients)
    assert len(command.items) == 2


async def test_pds_unavailable_leaves_them_waiting_and_they_are_asked_again(
    deps: Deps, publisher: FakePublisher
) -> None:
    deps = dataclasses.replace(deps, recheck_after_s=0, recheck_timeout_s=3600)
    campaign_id = await sending(deps, 1)
    await release_now(deps, campaign_id)
    [command] = _published(publisher, RECHECK_PATIENTS, RecheckPatients)
    item = command.items[0]
    unavailable = {
        item.recipient_id: RecheckOutcome(
            recipient_id=item.recipient_id, reason_code=UploadReason.PDS_UNAVAILABLE
        )
    }
    await rechecks.record_rechecks(_answer(command, unavailable), deps)

    assert await release_now(deps, campaign_id) == 0
    assert len(_published(publisher, RECHECK_PATIENTS, RecheckPatients)) == 1
    # Once the request is presumed lost, it is asked for again; still nothing is sent. (A
    # second later: stored times keep milliseconds, so within the same one nothing is older.)
    later = deps.clock() + timedelta(seconds=1)
    impatient = dataclasses.replace(deps, recheck_timeout_s=0, clock=lambda: later)
    assert await release_now(impatient, campaign_id) == 0
    assert len(_published(publisher, RECHECK_PATIENTS, RecheckPatients)) == 2
    assert released(publisher) == []


async def test_a_number_pds_gives_now_that_failed_for_good_is_not_texted(
    deps: Deps, publisher: FakePublisher
) -> None:
    deps = dataclasses.replace(deps, recheck_after_s=0)
    campaign_id = await sending(deps, 1)
    await release_now(deps, campaign_id)
    [command] = _published(publisher, RECHECK_PATIENTS, RecheckPatients)
    [item] = command.items
    # The practice texted the patient's new number before, and the network did not know it.
    earlier = failed_recipient(
        1,
        nhs_number="9990000999",
        contact="447700900999",
        reason_code=SendReason.UNKNOWN_SUBSCRIBER.value,
        failure_permanent=True,
    )
    await deps.recipients.add_unique([earlier])
    moved = RecheckOutcome(recipient_id=item.recipient_id, contact="447700900999")

    await rechecks.record_rechecks(_answer(command, {item.recipient_id: moved}), deps)

    assert await release_now(deps, campaign_id) == 0
    assert released(publisher) == []
    recipient = await deps.recipients.get(ORG, item.recipient_id)
    assert recipient is not None
    assert (recipient.status, recipient.reason_code) == (
        RecipientStatus.FAILED,
        UploadReason.NUMBER_FAILED_BEFORE.value,
    )
