"""Numbers not texted again: a patient whose mobile number failed for good when the practice
last texted it (not in use, not valid, a landline) is left out as their row resolves
(``NUMBER_FAILED_BEFORE``); a temporary failure, or a text delivered since, leaves them in."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from campaign.handlers import lists, outcomes, receipts
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing
from cohort_contracts.sending import DeliveryStatus
from cohort_contracts.vocabulary import RecipientStatus, SendReason, UploadReason

from ..builders import ORG, failed_recipient, nhs_number, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    all_sent,
    campaign_with_recipients,
    delivery_reported,
    messages_sent,
    new_campaign,
    register,
    sent_and_claimed,
)
from .messaging import review_of

#: How the last text to each of six numbers ended: (status, reason, permanent).
ENDINGS: list[tuple[DeliveryStatus, SendReason | None, bool | None]] = [
    ("delivered", None, None),
    ("failed", SendReason.PHONE_NOT_REACHABLE, False),  # off for a while: text it again
    ("failed", SendReason.UNKNOWN_SUBSCRIBER, True),  # nobody's number
    ("failed", SendReason.SMS_NOT_SUPPORTED, True),  # a landline (Firetext 301)
    ("failed", SendReason.SMS_NOT_SUPPORTED, False),  # could not take one then (302)
    ("failed", SendReason.INVALID_NUMBER, None),  # not a valid number, whatever is said
]
FAILED_FOR_GOOD = {3, 4, 6}


async def texted(
    deps: Deps,
    publisher: FakePublisher,
    endings: list[tuple[DeliveryStatus, SendReason | None, bool | None]] = ENDINGS,
) -> list[str]:
    """A campaign that texted numbers 1-6 (rows 1-6), each ending as ``endings`` says."""
    campaign_id, ids = await sent_and_claimed(deps, publisher, len(endings))
    await all_sent(deps, campaign_id, ids)
    for rid, (status, reason, permanent) in zip(ids, endings, strict=True):
        said: dict[str, str | bool] = {"recipient_id": rid}
        if reason is not None:
            said |= {"reason_code": reason, "reason": "Words."}
        if permanent is not None:
            said["permanent"] = permanent
        await receipts.record_delivery(delivery_reported(status, **said), deps)
    return ids


async def upload(deps: Deps, rows: range, channel: str = "sms") -> dict[int, str | None]:
    """A new campaign's list of the same numbers (row n has number n): each row's reason."""
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, len(rows))
    event = rows_resolved(campaign.id, list_id, [outcome(i) for i in rows], channel=channel)
    await lists.record_resolved_rows(event, deps)
    failed = await deps.lists.unsuccessful(list_id, 0, 100)
    reasons: dict[int, str | None] = dict.fromkeys(rows)
    reasons |= {r.row_number: r.reason_code for r in failed}
    return reasons


async def test_numbers_that_failed_for_good_are_left_out_with_why(
    deps: Deps, publisher: FakePublisher
) -> None:
    await texted(deps, publisher)

    reasons = await upload(deps, range(1, 7))

    blocked = UploadReason.NUMBER_FAILED_BEFORE.value
    assert reasons == {n: blocked if n in FAILED_FOR_GOOD else None for n in range(1, 7)}


async def test_a_text_delivered_since_shows_the_number_works(
    deps: Deps, publisher: FakePublisher
) -> None:
    # Numbers 1-3 in another campaign, already with the provider when number 3 failed, and
    # delivered after: it has been given to someone since.
    own = FakePublisher()
    later, ids = await sent_and_claimed(replace(deps, publisher=own), own, 3)
    await texted(deps, publisher)
    await all_sent(deps, later, ids)
    for rid in ids:
        await receipts.record_delivery(delivery_reported("delivered", recipient_id=rid), deps)

    reasons = await upload(deps, range(1, 5))

    assert reasons == {1: None, 2: None, 3: None, 4: UploadReason.NUMBER_FAILED_BEFORE.value}


async def test_only_within_the_window_only_texts_and_only_this_organisation(
    deps: Deps, publisher: FakePublisher
) -> None:
    await texted(deps, publisher)

    later = datetime.now(UTC) + timedelta(days=91)
    assert set((await upload(replace(deps, clock=lambda: later), range(3, 5))).values()) == {None}
    assert set((await upload(deps, range(3, 5), channel="email")).values()) == {None}
    assert set((await upload(replace(deps, failed_number_days=0), range(3, 5))).values()) == {None}
    elsewhere = await deps.repeats.last_texts(
        "B82002", ["447700900003"], later - timedelta(days=365)
    )
    assert elsewhere == {}


async def test_a_failure_before_the_flag_was_kept_counts_only_if_the_number_is_the_cause(
    deps: Deps,
) -> None:
    """Recipients stored before ``failure_permanent`` existed: an unknown number still counts;
    SMS_NOT_SUPPORTED, which could have been temporary, does not."""
    now = datetime.now(UTC)
    for row, reason in ((1, SendReason.UNKNOWN_SUBSCRIBER), (2, SendReason.SMS_NOT_SUPPORTED)):
        old = failed_recipient(
            row,
            nhs_number=f"999000000{row}",
            contact=f"4477009{row:05d}",
            updated_at=now,
            reason_code=reason,
        )
        assert old.failure_permanent is None
        await deps.recipients.add_unique([old])
    reasons = await upload(deps, range(1, 3))
    assert reasons == {1: UploadReason.NUMBER_FAILED_BEFORE.value, 2: None}


async def test_a_number_failing_for_good_takes_unsent_texts_to_it_with_it(
    deps: Deps, publisher: FakePublisher
) -> None:
    """A draft made before the numbers failed: its patients at the failed numbers are taken
    out as soon as the receipts come, and its review says why."""
    draft, _ = await campaign_with_recipients(deps, 6)

    await texted(deps, publisher)

    statuses = {
        r.row_number: (r.status, r.reason_code)
        for r in (await deps.recipients.page(RecipientListing(ORG, draft), 0, 50))[0]
    }
    failed = (RecipientStatus.FAILED, UploadReason.NUMBER_FAILED_BEFORE.value)
    ready = (RecipientStatus.READY, None)
    assert statuses == {n: failed if n in FAILED_FOR_GOOD else ready for n in range(1, 7)}
    review = await review_of(deps, draft)
    assert review.recipient_count == 3
    assert [(r.reason_code, r.count) for r in review.excluded_by_reason] == [
        (UploadReason.NUMBER_FAILED_BEFORE.value, 3)
    ]
    assert await deps.recipients.recount(draft) == await deps.recipients.counts(draft)


async def test_a_number_the_provider_refused_at_sending_does_the_same(
    deps: Deps, publisher: FakePublisher
) -> None:
    draft, _ = await campaign_with_recipients(deps, 2)
    campaign_id, ids = await sent_and_claimed(deps, publisher, 2)
    report = messages_sent(campaign_id, [(ids[0], "failed"), (ids[1], "delivered")])
    invalid = report.outcomes[0].model_copy(update={"reason_code": SendReason.INVALID_NUMBER})
    refused = report.model_copy(update={"outcomes": [invalid, report.outcomes[1]]})

    await outcomes.record_messages_sent(refused, deps)

    page, _ = await deps.recipients.page(RecipientListing(ORG, draft), 0, 50)
    assert {r.row_number: r.status for r in page} == {
        1: RecipientStatus.FAILED,
        2: RecipientStatus.READY,
    }


async def test_a_patient_taken_out_is_in_again_when_uploaded_with_a_new_number(
    deps: Deps, publisher: FakePublisher
) -> None:
    """Staff do what the reason says: fix the number in their clinical system and upload the
    patient again. The taken-out recipient gives way to the new row."""
    draft, _ = await campaign_with_recipients(deps, 3)
    await texted(deps, publisher, [("failed", SendReason.UNKNOWN_SUBSCRIBER, True)] * 3)
    assert (await review_of(deps, draft)).recipient_count == 0

    fixed = await register(deps, draft, 1)
    again = outcome(1, nhs=nhs_number(3), contact="447700912345")  # patient 3, a new number
    await lists.record_resolved_rows(rows_resolved(draft, fixed, [again]), deps)

    page, _ = await deps.recipients.page(RecipientListing(ORG, draft), 0, 50)
    ready = [r for r in page if r.status is RecipientStatus.READY]
    assert [(r.nhs_number, r.contact) for r in ready] == [(nhs_number(3), "447700912345")]
    assert await deps.lists.unsuccessful(fixed, 0, 10) == []
    assert await deps.recipients.recount(draft) == await deps.recipients.counts(draft)
    assert (await review_of(deps, draft)).recipient_count == 1


async def test_the_numbers_of_failed_texts_are_read_together_for_this_organisation_only(
    deps: Deps,
) -> None:
    """One read for a receipt batch's failures, in chunks: texts' numbers, not emails' addresses,
    and never another organisation's recipient named by id."""
    texts = [
        failed_recipient(n, nhs_number=nhs_number(n), contact=f"4477009{n:05d}")
        for n in range(1, 1203)
    ]
    email = failed_recipient(1203, channel="email", contact="jane@example.com")
    theirs = failed_recipient(1204, org_id="B82002", contact="447700999999")
    await deps.recipients.add_unique([*texts, email])
    await deps.recipients.add_unique([theirs])

    numbers = await deps.exclusions.texted_numbers(ORG, [r.id for r in [*texts, email, theirs]])

    assert numbers == {r.contact for r in texts}
