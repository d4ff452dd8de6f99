"""The repeat guard: the review warns about patients sent the same message lately (same
template or same text), with the count, and staff can leave them out."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from campaign.adapters import mongo_repeat_history
from campaign.adapters.mongo_database import MongoHandle
from campaign.adapters.mongo_repeat_history import repeat_query
from campaign.domain.errors import Conflict
from campaign.domain.model import Campaign, Message
from campaign.domain.repeat_guard import message_keys
from campaign.domain.safety_policy import SafetyPolicies, SafetyPolicy
from campaign.handlers import campaigns, lists, repeat_exclusion
from campaign.handlers.deps import Deps
from campaign.ports.recipients import Move
from cohort_contracts.campaign_requests import (
    ExcludeRecentlyMessaged,
    GetReview,
    ListRecipients,
)
from cohort_contracts.campaign_views import ReviewView
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus, SendReason
from cohort_standin import StandinCollection

from ..builders import ORG, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    campaign_with_recipients,
    cid,
    claim,
    new_campaign,
    register,
    release_now,
    released_ids,
    send,
    write_message,
)
from .test_send_timing import NOON, Clock

TEXT = "Hello ((first_name)), your flu jab is due."


def guarded(deps: Deps, clock: Clock, days: int = 30) -> Deps:
    policy = SafetyPolicy(quiet_hours=None, repeat_window_days=days)
    return replace(deps, clock=clock, safety=SafetyPolicies(policy))


async def sent_campaign(deps: Deps, n: int) -> uuid.UUID:
    campaign_id, _ = await campaign_with_recipients(deps, n)
    await send(deps, campaign_id, n)
    await release_now(deps, campaign_id)
    return campaign_id


async def draft(deps: Deps, rows: range, body: str = TEXT) -> uuid.UUID:
    campaign = await new_campaign(deps)
    list_id = await register(deps, campaign.id, len(rows))
    event = rows_resolved(campaign.id, list_id, [outcome(i) for i in rows])
    await lists.record_resolved_rows(event, deps)
    await write_message(deps, campaign.id, body)
    return campaign.id


async def review(deps: Deps, campaign_id: uuid.UUID) -> ReviewView:
    return await campaigns.get_review(
        GetReview(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )


async def test_the_review_counts_patients_sent_the_same_text_lately(deps: Deps) -> None:
    deps = guarded(deps, Clock(NOON))
    await sent_campaign(deps, 4)  # patients 1-4
    campaign_id = await draft(deps, range(1, 7))  # patients 1-6, the same text

    warning = (await review(deps, campaign_id)).repeat_warning
    assert warning is not None
    assert (warning.count, warning.days) == (4, 30)
    assert "4 patients were sent this message" in warning.message

    other = await draft(deps, range(1, 7), body="Your ((first_name)) results are ready.")
    assert (await review(deps, other)).repeat_warning is None


async def test_the_approver_is_warned_as_the_sender_was(deps: Deps) -> None:
    policy = SafetyPolicy(quiet_hours=None, repeat_window_days=30, approval_above=2)
    deps = replace(deps, clock=Clock(NOON), safety=SafetyPolicies(policy))
    await sent_campaign(deps, 2)  # below the threshold: goes at once
    campaign_id = await draft(deps, range(1, 5))
    view = await send(deps, campaign_id, 4)
    assert view.status == CampaignStatus.AWAITING_APPROVAL
    warning = (await review(deps, campaign_id)).repeat_warning
    assert warning is not None
    assert warning.count == 2


async def test_the_window_bounds_the_warning(deps: Deps) -> None:
    clock = Clock(NOON)
    deps = guarded(deps, clock, days=7)
    await sent_campaign(deps, 3)
    campaign_id = await draft(deps, range(1, 4))
    clock.now = NOON + timedelta(days=7)
    assert (await review(deps, campaign_id)).repeat_warning is not None
    clock.now = NOON + timedelta(days=7, seconds=1)
    assert (await review(deps, campaign_id)).repeat_warning is None


async def test_a_message_that_failed_is_not_a_repeat(deps: Deps, publisher: FakePublisher) -> None:
    deps = guarded(deps, Clock(NOON))
    first = await sent_campaign(deps, 2)
    failed = released_ids(publisher)[0]
    await claim(deps, first, [failed])
    await deps.recipients.apply(ORG, [Move(failed, RecipientStatus.FAILED, "INVALID_NUMBER")])
    campaign_id = await draft(deps, range(1, 3))
    warning = (await review(deps, campaign_id)).repeat_warning
    assert warning is not None
    assert warning.count == 1


async def test_staff_leave_them_out_with_a_reason(deps: Deps) -> None:
    deps = guarded(deps, Clock(NOON))
    await sent_campaign(deps, 4)
    campaign_id = await draft(deps, range(1, 7))

    request = ExcludeRecentlyMessaged(
        correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id
    )
    after = await repeat_exclusion.exclude_recently_messaged(request, deps)
    assert (after.recipient_count, after.repeat_warning) == (2, None)
    # A redelivered request changes nothing.
    assert (await repeat_exclusion.exclude_recently_messaged(request, deps)).recipient_count == 2

    page = await campaigns.list_recipients(
        ListRecipients(
            correlation_id=cid(),
            org_id=ORG,
            actor="u",
            campaign_id=campaign_id,
            status=RecipientStatus.CANCELLED,
        ),
        deps,
    )
    assert page.total == 4
    assert {r.reason_code for r in page.items} == {SendReason.RECENTLY_MESSAGED}
    assert (
        page.items[0].reason == "Left out: sent this message by the practice in the last 30 days."
    )

    await send(deps, campaign_id, 2)  # the count staff now confirm
    with pytest.raises(Conflict):
        await repeat_exclusion.exclude_recently_messaged(
            ExcludeRecentlyMessaged(
                correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id
            ),
            deps,
        )


async def test_lookups_are_chunked(deps: Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    # A 20,000-patient list is looked up a thousand at a time; here two at a time.
    monkeypatch.setattr(mongo_repeat_history, "LOOKUP_CHUNK", 2)
    deps = guarded(deps, Clock(NOON))
    await sent_campaign(deps, 5)
    campaign_id = await draft(deps, range(1, 6))  # the last chunk holds one patient
    warning = (await review(deps, campaign_id)).repeat_warning
    assert warning is not None
    assert warning.count == 5


def test_the_same_template_or_the_same_text_is_the_same_message() -> None:
    def campaign(body: str, template: str | None = None) -> Campaign:
        c = Campaign(uuid.uuid4(), ORG, "x", "basic", "u", datetime.now(UTC))
        c.message, c.template_id = Message(body), template
        return c

    a, b = message_keys(campaign("A ((first_name))", "t1")), message_keys(campaign("B", "t1"))
    assert a[0] == b[0] == "template:t1"
    assert message_keys(campaign("  A ((first_name))\n"))[0] == a[1]  # the same text
    assert message_keys(campaign("B"))[0] != a[1]


@pytest.mark.parametrize("numbers", [["9990000018"], [str(n) for n in range(1000)], None])
async def test_the_lookup_uses_the_repeat_index(
    mongo: MongoHandle, numbers: list[str] | None
) -> None:
    """A thousand numbers at a time, and the first probe for anyone at all, each read the
    partial repeat index, never the organisation's every recipient."""
    await mongo.ensure_indexes()
    query = repeat_query(ORG, uuid.uuid4(), ["text:x", "template:t"], NOON, numbers)
    recipients = mongo.db["recipients"]
    if mongo.standin:
        standin = cast(StandinCollection, recipients)
        plan, _ = standin.engine.plan(standin.codec.normalized(query), None)
        assert plan.index is not None
        chosen = plan.index.name
    else:
        chosen = str((await recipients.find(query).explain())["queryPlanner"])
    assert "org_id_1_message_keys_1_nhs_number_1_released_at_1" in chosen
