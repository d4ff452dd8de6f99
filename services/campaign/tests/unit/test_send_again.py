"""Sending a finished campaign again to the patients it did not reach: who is taken (failures
another try may get past, once each), what the new campaign copies, what ingest is asked to
check again, and that a repeated request does nothing twice."""

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_recipient_docs import recipient_doc
from campaign.adapters.mongo_send_again import MongoSendAgainSource
from campaign.domain.errors import Conflict, NotFound
from campaign.domain.model import Recipient
from campaign.domain.send_again import (
    COLUMNS,
    SEND_AGAIN_RULE,
    TryAgainRule,
    list_id_for,
    list_rows,
)
from campaign.handlers import audit_trail, campaigns, lists, outcomes, receipts
from campaign.handlers import send_again as sending_again
from campaign.handlers.deps import Deps
from campaign.ports.recipients import RecipientListing, SendAgainSource
from cohort_contracts.campaign_requests import CreateCampaign, GetAudit, GetSendAgain, SendAgain
from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import RESOLVE_ROWS
from cohort_contracts.sending import DeliveryStatus
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus, SendReason

from ..builders import ORG, failed_recipient, nhs_number, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    delivery_reported,
    messages_sent,
    new_campaign,
    req,
    sent_and_claimed,
    status_of,
)

#: What a message came to: its status, and for a failure its reason and whether dispatch
#: said another try would fail the same way (None: not said).
Ending = tuple[DeliveryStatus, SendReason | None, bool | None]

#: What each of six recipients' messages came to, in list order.
ENDINGS: list[Ending] = [
    ("delivered", None, None),
    ("failed", SendReason.PHONE_NOT_REACHABLE, False),  # phone off: try again
    ("failed", SendReason.UNKNOWN_SUBSCRIBER, True),  # nobody's number: would fail again
    ("failed", SendReason.NETWORK_ERROR, False),  # try again
    ("failed", SendReason.DECLINED, None),  # no reason given (an older dispatch): try again
    ("failed", SendReason.SMS_NOT_SUPPORTED, None),  # a landline, perhaps: not again
]

#: Three patients whose phones could not take a text message, as Firetext's codes say.
NOT_SUPPORTED: list[Ending] = [
    ("failed", SendReason.SMS_NOT_SUPPORTED, False),  # 302: not at the time, so try again
    ("failed", SendReason.SMS_NOT_SUPPORTED, True),  # 301: a landline, it would fail again
    ("failed", SendReason.SMS_NOT_SUPPORTED, None),  # from before dispatch said: not known
]


async def finished(
    deps: Deps, publisher: FakePublisher, awaiting: int = 0, endings: list[Ending] = ENDINGS
) -> tuple[uuid.UUID, list[str]]:
    """A campaign whose messages ended as ``endings`` says, one each, and completed; then
    ``awaiting`` more, sent but with no receipt yet."""
    campaign_id, ids = await sent_and_claimed(deps, publisher, len(endings) + awaiting)
    sent = messages_sent(campaign_id, [(i, "sent") for i in ids])
    await outcomes.record_messages_sent(sent, deps)
    for rid, (status, reason, permanent) in zip(ids, endings, strict=False):
        extra: dict[str, str | bool] = {}
        if reason is not None:
            extra |= {"reason_code": reason, "reason": "Words."}
        if permanent is not None:
            extra["permanent"] = permanent
        await receipts.record_delivery(delivery_reported(status, recipient_id=rid, **extra), deps)
    await outcomes.finish_if_done(ORG, campaign_id, deps, trust_counts=False)
    assert await status_of(deps, campaign_id) is CampaignStatus.COMPLETED
    return campaign_id, ids


def resolve_commands(publisher: FakePublisher) -> list[ResolveRows]:
    return [m for r, m in publisher.published if r == RESOLVE_ROWS and isinstance(m, ResolveRows)]


async def test_counts_only_failures_another_try_may_get_past(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.patients == 3
    assert {(c.reason_code, c.count) for c in view.by_reason} == {
        (SendReason.PHONE_NOT_REACHABLE, 1),
        (SendReason.NETWORK_ERROR, 1),
        (SendReason.DECLINED, 1),
    }
    assert view.cannot_because is None


async def test_a_phone_that_could_not_take_a_text_at_the_time_is_counted_and_taken(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await finished(deps, publisher, endings=NOT_SUPPORTED)
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    # Only the 302: a landline (301) would fail again, and an unmarked one may be a landline.
    assert view.patients == 1
    assert [(c.reason_code, c.count) for c in view.by_reason] == [(SendReason.SMS_NOT_SUPPORTED, 1)]

    await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="n"), deps)

    [command] = resolve_commands(publisher)
    assert [r.nhs_number for r in command.rows] == await patients_of(deps, campaign_id, ids[:1])


async def test_a_new_draft_with_the_same_message_and_its_patients_checked_again(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await finished(deps, publisher)
    publisher.published.clear()
    request = req(SendAgain, campaign_id=campaign_id, name="Flu: send again")

    view = await sending_again.send_again(request, deps)

    assert view.id == request.message_id
    assert view.status is CampaignStatus.DRAFT
    assert view.name == "Flu: send again"
    assert view.follows_up == campaign_id
    assert view.message is not None
    assert view.message.body == "Hello ((first_name)), your flu jab is due."
    [command] = resolve_commands(publisher)
    assert command.campaign_id == view.id
    assert command.list_id == list_id_for(view.id, "sms")
    # The patients of recipients 2, 4 and 5, as rows ingest checks against PDS again.
    assert [(r.row_number, r.date_of_birth) for r in command.rows] == [
        (1, "01/01/1980"),
        (2, "01/01/1980"),
        (3, "01/01/1980"),
    ]
    source_patients = await patients_of(deps, campaign_id, [ids[1], ids[3], ids[4]])
    assert [r.nhs_number for r in command.rows] == source_patients
    assert command.rows[0].cells == [source_patients[0], "01/01/1980", "Jane", "Smith"]
    patient_list = await deps.lists.get(ORG, view.id, command.list_id)
    assert patient_list is not None
    assert patient_list.columns == COLUMNS
    assert patient_list.total_rows == 3
    audit = await audit_trail.get_audit(req(GetAudit, campaign_id=campaign_id), deps)
    assert audit.entries[-1].action == "sent_again"
    made = await audit_trail.get_audit(req(GetAudit, campaign_id=view.id), deps)
    assert made.entries[0].action == "created"


async def test_what_ingest_resolves_becomes_the_new_campaigns_recipients(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    view = await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="n"), deps)
    [command] = resolve_commands(publisher)
    # Ingest answers as it does for an upload (numbers other than those the source texted:
    # one that failed for good there would be left out, NUMBER_FAILED_BEFORE).
    answered = [
        outcome(r.row_number, nhs=r.nhs_number, contact=f"44770091{r.row_number:04d}")
        for r in command.rows
    ]
    event = rows_resolved(view.id, command.list_id, answered)
    await lists.record_resolved_rows(event, deps)
    assert await deps.recipients.counts(view.id) == {RecipientStatus.READY: 3}


async def patients_of(deps: Deps, campaign_id: uuid.UUID, ids: list[str]) -> list[str]:
    page, _ = await deps.recipients.page(RecipientListing(ORG, campaign_id), 0, 50)
    by_id = {r.id: r.nhs_number for r in page}
    return [by_id[i] for i in ids]


async def test_each_patient_is_sent_again_once(deps: Deps, publisher: FakePublisher) -> None:
    campaign_id, _ = await finished(deps, publisher)
    await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="again"), deps)
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.patients == 0
    assert view.cannot_because is not None
    with pytest.raises(Conflict, match="nobody to send it again to"):
        await sending_again.send_again(
            req(SendAgain, campaign_id=campaign_id, name="again, again"), deps
        )
    assert len(resolve_commands(publisher)) == 1
    _, total = await deps.campaigns.page([ORG], None, 0, 50)
    assert total == 2  # the source and one send-again, not a third


class CountedBeforeTaken:
    """The patients another request saw before a first one took them all: what a second
    request sees when two arrive at once."""

    def __init__(self, source: SendAgainSource, counts: dict[str, int]) -> None:
        self._source = source
        self._counts = counts

    async def counts(self, campaign_id: uuid.UUID, rule: TryAgainRule) -> dict[str, int]:
        return self._counts

    async def take(self, campaign_id: uuid.UUID, rule: TryAgainRule, taker: uuid.UUID) -> None:
        await self._source.take(campaign_id, rule, taker)

    async def release(self, campaign_id: uuid.UUID, taker: uuid.UUID) -> None:
        await self._source.release(campaign_id, taker)

    async def held(self, campaign_id: uuid.UUID, taker: uuid.UUID) -> list[Recipient]:
        return await self._source.held(campaign_id, taker)


async def test_two_requests_at_once_make_one_draft(deps: Deps, publisher: FakePublisher) -> None:
    campaign_id, _ = await finished(deps, publisher)
    seen = await deps.send_again.counts(campaign_id, SEND_AGAIN_RULE)
    await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="first"), deps)
    second = replace(deps, send_again=CountedBeforeTaken(deps.send_again, seen))
    with pytest.raises(Conflict, match="nobody to send it again to"):
        await sending_again.send_again(
            req(SendAgain, campaign_id=campaign_id, name="second"), second
        )
    _, total = await deps.campaigns.page([ORG], None, 0, 50)
    assert total == 2  # the source and the first: no empty draft for the second


async def test_a_request_id_in_use_gives_back_what_it_took(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    elsewhere = await new_campaign(deps, org="B82002")
    with pytest.raises(Conflict, match="already in use"):
        await sending_again.send_again(
            req(SendAgain, campaign_id=campaign_id, name="n", message_id=elsewhere.id), deps
        )
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.patients == 3  # given back: another send-again can take them
    assert resolve_commands(publisher) == []


async def test_a_create_reusing_a_follow_ups_request_id_is_refused(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    follow_up = await sending_again.send_again(
        req(SendAgain, campaign_id=campaign_id, name="again"), deps
    )
    create = req(CreateCampaign, name="Flu", type="basic", message_id=follow_up.id)

    with pytest.raises(Conflict, match="already in use"):
        await campaigns.create_campaign(create, deps)
    repeated = req(SendAgain, campaign_id=campaign_id, name="again", message_id=follow_up.id)
    assert (await sending_again.send_again(repeated, deps)).id == follow_up.id


async def test_rows_a_failed_request_did_not_queue_are_queued_by_the_sweep(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    request = req(SendAgain, campaign_id=campaign_id, name="again")
    publisher.fail_next = 1  # RabbitMQ refuses the batch; the redelivery is dropped as late
    with pytest.raises(ConnectionError):
        await sending_again.send_again(request, deps)
    assert resolve_commands(publisher) == []
    minute_later = replace(deps, clock=lambda: deps.clock() + timedelta(minutes=1))
    assert await sending_again.queue_pending_rows(minute_later, older_than_s=90) == 0  # not yet
    assert await sending_again.queue_pending_rows(minute_later, older_than_s=30) == 3
    [command] = resolve_commands(publisher)
    assert command.list_id == list_id_for(request.message_id, "sms")
    assert [r.nhs_number for r in command.rows] == [
        r.nhs_number
        for r in list_rows(await deps.send_again.held(campaign_id, request.message_id))["sms"]
    ]
    assert await sending_again.queue_pending_rows(minute_later, older_than_s=0) == 0  # once


async def test_a_request_that_queued_every_row_leaves_the_sweep_nothing(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="again"), deps)
    assert await sending_again.queue_pending_rows(deps, older_than_s=0) == 0
    assert len(resolve_commands(publisher)) == 1


async def test_a_repeated_request_does_nothing_twice(deps: Deps, publisher: FakePublisher) -> None:
    campaign_id, _ = await finished(deps, publisher)
    request = req(SendAgain, campaign_id=campaign_id, name="again")
    first = await sending_again.send_again(request, deps)
    again = await sending_again.send_again(request, deps)  # a redelivery of the same request
    assert again.id == first.id
    commands = resolve_commands(publisher)
    # Published again (the first delivery may have died before publishing), but the same
    # batch: ingest and campaign treat the second as a redelivery of the first.
    assert len(commands) == 2
    assert commands[0].message_id == commands[1].message_id
    assert commands[0].rows == commands[1].rows
    _, total = await deps.campaigns.page([ORG], None, 0, 50)
    assert total == 2


async def test_a_late_failure_does_not_change_a_repeated_requests_rows(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, ids = await finished(deps, publisher, awaiting=1)
    request = req(SendAgain, campaign_id=campaign_id, name="again")
    await sending_again.send_again(request, deps)
    # The last patient's receipt comes late: a network failure. A redelivery of the request
    # must hand ingest the very batch it handed it before, not a list with a row moved.
    late = {"reason_code": SendReason.NETWORK_ERROR, "reason": "Words."}
    await receipts.record_delivery(delivery_reported("failed", recipient_id=ids[-1], **late), deps)
    await sending_again.send_again(request, deps)
    first, repeated = resolve_commands(publisher)
    assert (first.message_id, first.rows) == (repeated.message_id, repeated.rows)
    assert len(first.rows) == 3
    # The late one is left for another send-again.
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.patients == 1


async def test_only_a_finished_campaign_can_be_sent_again(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await sent_and_claimed(deps, publisher, 2)
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.cannot_because == "A campaign can be sent again once it has finished sending."
    with pytest.raises(Conflict, match="finished sending"):
        await sending_again.send_again(req(SendAgain, campaign_id=campaign_id, name="n"), deps)


async def test_another_organisations_campaign_is_not_found(
    deps: Deps, publisher: FakePublisher
) -> None:
    campaign_id, _ = await finished(deps, publisher)
    with pytest.raises(NotFound):
        await sending_again.get_send_again(
            req(GetSendAgain, org_id="B82002", campaign_id=campaign_id), deps
        )
    with pytest.raises(NotFound):
        await sending_again.send_again(
            req(SendAgain, org_id="B82002", campaign_id=campaign_id, name="n"), deps
        )
    view = await sending_again.get_send_again(req(GetSendAgain, campaign_id=campaign_id), deps)
    assert view.patients == 3  # nothing was taken


def test_a_partial_date_of_birth_leaves_the_cell_empty() -> None:
    born, unknown = date(1950, 3, 2), None
    recipients = [failed_recipient(7, birth_date=born), failed_recipient(9, birth_date=unknown)]
    rows = list_rows(recipients)["sms"]
    # PDS may give only a year or a month: ingest then asks staff for the date (as an upload).
    assert [(r.row_number, r.date_of_birth) for r in rows] == [(1, "02/03/1950"), (2, "")]


async def test_finding_them_uses_the_campaign_status_index(mongo: MongoHandle) -> None:
    if mongo.standin:
        pytest.skip("index choice is a real MongoDB's; the stand-in has no query planner")
    source = MongoSendAgainSource(mongo)
    rule = TryAgainRule(frozenset({"PHONE_NOT_REACHABLE"}), frozenset({"SMS_NOT_SUPPORTED"}))
    query = source._untaken(uuid.uuid4(), rule)
    plan = await mongo.db["recipients"].find(query).explain()
    assert "campaign_id_1_status_1_list_id_1_row_number_1" in str(plan["queryPlanner"])


async def test_the_sweep_finds_pending_lists_by_their_index(mongo: MongoHandle) -> None:
    if mongo.standin:
        pytest.skip("index choice is a real MongoDB's; the stand-in has no query planner")
    query = {"rows_pending_since": {"$lte": datetime.now(UTC)}}
    plan = await mongo.db["patient_lists"].find(query).explain()
    assert "rows_pending_since_1" in str(plan["queryPlanner"])


async def test_the_store_takes_the_failures_the_domain_rule_says(mongo: MongoHandle) -> None:
    """Every reason with every flag, and one stored before the flag existed: the query
    (``counts`` and ``take``) agrees with ``TryAgainRule.allows``."""
    campaign_id = uuid.uuid4()
    cases = [(reason.value, flag) for reason in SendReason for flag in (True, False, None)]
    docs = []
    for row, (reason_code, flag) in enumerate(cases, start=1):
        failed = failed_recipient(
            row,
            campaign_id=campaign_id,
            nhs_number=nhs_number(row),
            reason_code=reason_code,
            failure_permanent=flag,
        )
        docs.append(recipient_doc(failed))
    legacy = {**docs[-1], "_id": "legacy", "nhs_number": nhs_number(0)}
    legacy.update(reason_code=SendReason.SMS_NOT_SUPPORTED.value)
    del legacy["failure_permanent"]
    await mongo.db["recipients"].insert_many([*docs, legacy])
    rule = SEND_AGAIN_RULE
    source = MongoSendAgainSource(mongo)
    taken = {d["_id"]: d["reason_code"] for d in docs if rule.allows(*cases[d["row_number"] - 1])}

    counts = await source.counts(campaign_id, rule)
    await source.take(campaign_id, rule, taker := uuid.uuid4())

    assert counts == Counter(taken.values())
    assert counts[SendReason.SMS_NOT_SUPPORTED] == 1  # False only: not True, None or missing
    assert {r.id for r in await source.held(campaign_id, taker)} == set(taken)
