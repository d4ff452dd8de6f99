"""Receipts in batches: applied in one round, matched by reference and number where shared,
kept when they overtake the send report, and a redelivered batch changes nothing."""

import uuid
from datetime import UTC, datetime
from typing import Any

from campaign.adapters.mongo_recipients import MongoRecipientRepository
from campaign.handlers import outcomes, receipts
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.sending import (
    DeliveriesReported,
    DeliveryReport,
    DeliveryStatus,
    SendOutcome,
    SendStatus,
)
from cohort_contracts.vocabulary import RecipientStatus

from ..builders import ORG
from ..fakes import FakePublisher
from .helpers import (
    Wrapper,
    all_sent,
    cid,
    claim,
    contacts_of,
    dispatch_report,
    messages_sent,
    sent_and_claimed,
    sent_and_released,
)


def report(status: DeliveryStatus = "delivered", **fields: str | bool) -> DeliveryReport:
    return DeliveryReport(
        receipt_id=uuid.uuid4(),
        status=status,
        reported_at=datetime.now(UTC),
        **fields,
    )


def batch(*reports: DeliveryReport) -> DeliveriesReported:
    return DeliveriesReported(correlation_id=cid(), org_id=ORG, reports=list(reports))


async def test_a_batch_of_receipts_settles_each_recipient_once(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 6)
    contacts = await contacts_of(deps, campaign_id)
    # Three sent alone, three in one shared-text request.
    own, shared = ids[:3], ids[3:]
    sent: list[tuple[str, SendStatus, str]] = [(i, "sent", i) for i in own] + [
        (i, "sent", "g-shared") for i in shared
    ]
    outcomes_sent = [
        SendOutcome(recipient_id=i, status=s, provider_reference=ref) for i, s, ref in sent
    ]
    await outcomes.record_messages_sent(dispatch_report(campaign_id, outcomes_sent), deps)
    receipts_batch = batch(
        report("delivered", recipient_id=own[0], provider_reference=own[0]),
        report("failed", recipient_id=own[1], provider_reference=own[1]),
        report("pending", recipient_id=own[2], provider_reference=own[2]),
        *(report("delivered", provider_reference="g-shared", mobile=contacts[i]) for i in shared),
    )

    await receipts.record_deliveries(receipts_batch, deps)
    await receipts.record_deliveries(receipts_batch, deps)  # redelivered

    assert await deps.recipients.counts(campaign_id) == {
        RecipientStatus.DELIVERED: 4,
        RecipientStatus.FAILED: 1,
        RecipientStatus.SENT: 1,  # its receipt was only "pending"
    }
    assert await deps.recipients.counts(campaign_id) == await deps.recipients.recount(campaign_id)
    assert await deps.recipients.count_pending_record_entries() == 4


async def test_a_shared_receipt_that_overtakes_the_send_report_waits_for_it(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    contacts = await contacts_of(deps, campaign_id)

    await receipts.record_deliveries(
        batch(*(report(provider_reference="g-early", mobile=contacts[i]) for i in ids)), deps
    )
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.SENDING: 2}

    await all_sent(deps, campaign_id, ids, reference="g-early")
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.DELIVERED: 2}


async def test_a_groups_receipts_settle_its_recipients_when_dispatch_died_before_reporting(
    deps: Deps, publisher: FakePublisher
) -> None:
    """Dispatch names the group's reference in its claim; it dies after Firetext took the
    group, so no ``MessagesSent`` ever comes. The receipts still find their recipients."""
    campaign_id, ids = await sent_and_released(deps, publisher, 3)
    await claim(deps, campaign_id, ids, references=dict.fromkeys(ids, "g-claimed"))
    contacts = await contacts_of(deps, campaign_id)

    await receipts.record_deliveries(
        batch(*(report(provider_reference="g-claimed", mobile=contacts[i]) for i in ids)), deps
    )

    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.DELIVERED: 3}


class _SendReportLandsFirst(Wrapper):
    """The recipients collection, but the send report of the same recipients (``sending`` →
    ``sent``) is written by another instance between the receipt's read and its write."""

    def __init__(self, collection: Any, ids: list[str]) -> None:
        super().__init__(collection)
        self._ids = ids
        self.raced = False

    async def bulk_write(self, writes: Any, **options: Any) -> Any:
        if not self.raced:
            self.raced = True
            await self._inner.update_many(
                {"_id": {"$in": self._ids}, "status": "sending"}, {"$set": {"status": "sent"}}
            )
        return await self._inner.bulk_write(writes, **options)


async def test_a_receipt_that_loses_a_race_with_the_send_report_is_applied_anyway(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    recipients = deps.recipients
    assert isinstance(recipients, MongoRecipientRepository)
    # The one-by-one moves are the part that writes a receipt's delivery.
    moves = recipients._moves
    race = _SendReportLandsFirst(moves._c, ids)
    moves._c = race  # type: ignore[assignment]

    await receipts.record_deliveries(
        batch(*(report(recipient_id=i, provider_reference=i) for i in ids)), deps
    )

    assert race.raced
    page, _ = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 9)
    assert {r.status for r in page} == {RecipientStatus.DELIVERED}


async def test_a_failure_is_kept_with_whether_another_try_may_get_past_it(
    deps: Deps, publisher: FakePublisher
) -> None:
    """Also when the receipt waited for its send report: the kept receipt carries it too."""
    campaign_id, ids = await sent_and_claimed(deps, publisher, 4)
    contacts = await contacts_of(deps, campaign_id)
    not_supported = {"reason_code": "SMS_NOT_SUPPORTED", "reason": "Words."}
    early = batch(
        report(
            "failed",
            **not_supported,
            permanent=False,
            provider_reference="g-early",
            mobile=contacts[ids[0]],
        ),
        report(
            "failed",
            **not_supported,
            permanent=True,
            provider_reference="g-early",
            mobile=contacts[ids[1]],
        ),
    )
    await receipts.record_deliveries(early, deps)
    await outcomes.record_messages_sent(
        messages_sent(campaign_id, [(i, "sent") for i in ids[:2]], reference="g-early"), deps
    )
    await outcomes.record_messages_sent(
        messages_sent(campaign_id, [(i, "sent") for i in ids[2:]]), deps
    )
    await receipts.record_deliveries(
        batch(
            report("failed", **not_supported, recipient_id=ids[2], provider_reference=ids[2]),
            report("delivered", recipient_id=ids[3], provider_reference=ids[3]),
        ),
        deps,
    )

    page, _ = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 9)
    settled = {r.id: (r.status, r.failure_permanent) for r in page}
    assert [settled[i] for i in ids] == [
        (RecipientStatus.FAILED, False),
        (RecipientStatus.FAILED, True),
        (RecipientStatus.FAILED, None),  # a dispatch that did not say
        (RecipientStatus.DELIVERED, None),
    ]
