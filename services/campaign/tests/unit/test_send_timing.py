"""Scheduling, quiet hours and spreading, on a clock the tests move (nothing sleeps)."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from campaign.domain.errors import Conflict, InvalidMessage
from campaign.domain.quiet_hours import QuietHours
from campaign.domain.safety_policy import SafetyPolicies, SafetyPolicy
from campaign.entrypoints.releaser import Releaser
from campaign.handlers import approval, audit_trail, campaigns, lists
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import (
    CancelCampaign,
    CreateCampaign,
    GetAudit,
    GetCampaign,
    ListCampaigns,
)
from cohort_contracts.sending import SendMessages
from cohort_contracts.vocabulary import CampaignStatus, Channel, RecipientStatus

from ..builders import ORG, outcome, rows_resolved
from ..fakes import FakePublisher
from .helpers import (
    campaign_with_recipients,
    cid,
    claim,
    register,
    release_now,
    released_ids,
    send,
    send_request,
    sending,
    sent_and_released,
    stored_campaign,
    write_message,
)

#: A Wednesday in January (GMT), at noon and at 21:00.
NOON = datetime(2026, 1, 14, 12, 0, tzinfo=UTC)
NIGHT = datetime(2026, 1, 14, 21, 0, tzinfo=UTC)
NEXT_MORNING = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


DEFAULT_QUIET = QuietHours()


def timed(deps: Deps, clock: Clock, quiet: QuietHours | None = DEFAULT_QUIET) -> Deps:
    return replace(deps, clock=clock, safety=SafetyPolicies(SafetyPolicy(quiet_hours=quiet)))


async def on_clock(deps: Deps, clock: Clock, recipients: int) -> tuple[Deps, uuid.UUID]:
    """``deps`` on ``clock``, quiet hours on, and a campaign of ``recipients`` ready to send."""
    deps = timed(deps, clock)
    campaign_id, _ = await campaign_with_recipients(deps, recipients)
    return deps, campaign_id


async def actions(deps: Deps, campaign_id: uuid.UUID) -> list[str]:
    log = await audit_trail.get_audit(
        GetAudit(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    return [e.action for e in log.entries]


# -- quiet hours ---------------------------------------------------------------------------


async def test_sms_reaching_quiet_hours_is_held_and_resumes_by_itself(
    deps: Deps, publisher: FakePublisher
) -> None:
    clock = Clock(NIGHT)
    deps = timed(deps, clock)
    campaign_id = await sending(deps, 4)

    assert await release_now(deps, campaign_id) == 0
    assert released_ids(publisher) == []
    view = await campaigns.get_campaign(
        GetCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id), deps
    )
    assert view.status == CampaignStatus.SENDING
    assert view.held_until == NEXT_MORNING

    # The sweep that runs after the hours end releases everyone, with no one's action.
    clock.now = NEXT_MORNING
    releaser = Releaser(deps, interval_s=60, grace_s=30)
    await releaser.sweep()
    await releaser.settle()
    assert len(released_ids(publisher)) == 4
    campaign = await stored_campaign(deps, campaign_id)
    assert campaign.held_until is None
    trail = await actions(deps, campaign_id)
    assert trail.count("held_for_quiet_hours") == 1
    assert trail.count("quiet_hours_ended") == 1


async def test_a_text_queued_before_quiet_hours_is_not_claimed_in_them(
    deps: Deps, publisher: FakePublisher
) -> None:
    clock = Clock(NOON)
    deps = timed(deps, clock)
    campaign_id, ids = await sent_and_released(deps, publisher, 2)

    clock.now = NIGHT  # dispatch was slow: the batch reaches it after 20:00
    assert await claim(deps, campaign_id, ids) == []
    clock.now = NEXT_MORNING
    assert sorted(await claim(deps, campaign_id, ids)) == sorted(ids)


async def test_quiet_hours_off_sends_at_night(deps: Deps, publisher: FakePublisher) -> None:
    deps = timed(deps, Clock(NIGHT), quiet=None)
    campaign_id = await sending(deps, 3)
    assert await release_now(deps, campaign_id) == 3


# -- scheduling ------------------------------------------------------------------------------


async def test_a_scheduled_send_waits_for_its_time_then_goes(
    deps: Deps, publisher: FakePublisher
) -> None:
    clock = Clock(NOON)
    deps, campaign_id = await on_clock(deps, clock, 3)
    at = NOON + timedelta(hours=2)

    view = await send(deps, campaign_id, 3, send_at=at)
    assert (view.status, view.send_at) == (CampaignStatus.SCHEDULED, at)
    # Visible in the overview as scheduled.
    page = await campaigns.list_campaigns(
        ListCampaigns(correlation_id=cid(), org_id=ORG, actor="u"), deps
    )
    assert [(c.status, c.send_at) for c in page.items] == [(CampaignStatus.SCHEDULED, at)]
    assert await release_now(deps, campaign_id) == 0

    clock.now = at - timedelta(seconds=1)
    assert await approval.start_due(deps) == []
    clock.now = at
    started = await approval.start_due(deps)
    assert [c.id for c in started] == [campaign_id]
    assert await approval.start_due(deps) == []  # started once
    assert await release_now(deps, campaign_id) == 3
    assert "scheduled" in await actions(deps, campaign_id)
    assert "sending_started" in await actions(deps, campaign_id)


async def test_a_scheduled_send_can_be_cancelled_before_its_time(
    deps: Deps, publisher: FakePublisher
) -> None:
    clock = Clock(NOON)
    deps, campaign_id = await on_clock(deps, clock, 3)
    await send(deps, campaign_id, 3, send_at=NOON + timedelta(hours=1))
    view = await campaigns.cancel_campaign(
        CancelCampaign(correlation_id=cid(), org_id=ORG, actor="u", campaign_id=campaign_id),
        deps,
    )
    assert view.status == CampaignStatus.CANCELLED
    assert view.counts.cancelled == 3
    clock.now = NOON + timedelta(hours=2)
    assert await approval.start_due(deps) == []
    assert released_ids(publisher) == []


@pytest.mark.parametrize("ahead", [timedelta(minutes=-1), timedelta(days=8)])
async def test_a_send_time_in_the_past_or_too_far_ahead_is_refused(
    deps: Deps, ahead: timedelta
) -> None:
    deps, campaign_id = await on_clock(deps, Clock(NOON), 1)
    with pytest.raises(InvalidMessage) as refused:
        await send(deps, campaign_id, 1, send_at=NOON + ahead)
    assert refused.value.details == {"field": "send_at"}


# -- spreading a booking campaign ------------------------------------------------------------


async def test_spreading_is_for_booking_campaigns_only(deps: Deps) -> None:
    campaign_id, _ = await campaign_with_recipients(deps, 2)
    with pytest.raises(InvalidMessage):
        await send(deps, campaign_id, 2, spread_hours=2)


async def test_a_spread_release_sends_an_even_share_each_hour(
    deps: Deps, publisher: FakePublisher
) -> None:
    clock = Clock(NOON)
    deps, campaign_id = await on_clock(deps, clock, 7)
    # A basic campaign stands in for a booking one here (the type check is tested above).
    campaign = await stored_campaign(deps, campaign_id)
    campaign.type = "booking"
    await deps.campaigns.save(campaign)
    await send(deps, campaign_id, 7, spread_hours=3)  # 7 over 3 hours: 3 an hour

    assert await release_now(deps, campaign_id) == 3
    clock.now = NOON + timedelta(minutes=59)
    assert await release_now(deps, campaign_id) == 0
    clock.now = NOON + timedelta(hours=1)
    assert await release_now(deps, campaign_id) == 3
    clock.now = NOON + timedelta(hours=2)
    assert await release_now(deps, campaign_id) == 1
    assert len(set(released_ids(publisher))) == 7
    assert await deps.recipients.counts(campaign_id) == {RecipientStatus.QUEUED: 7}


async def test_sending_twice_is_refused_once_scheduled(deps: Deps) -> None:
    deps, campaign_id = await on_clock(deps, Clock(NOON), 1)
    await send(deps, campaign_id, 1, send_at=NOON + timedelta(hours=1))
    with pytest.raises(Conflict):
        await send(deps, campaign_id, 1)


async def test_a_redelivered_scheduled_send_repeats_no_audit_entry(deps: Deps) -> None:
    clock = Clock(NOON)
    deps, campaign_id = await on_clock(deps, clock, 1)
    request = send_request(campaign_id, 1, "user-1", send_at=NOON + timedelta(hours=1))
    await campaigns.send_campaign(request, deps)
    clock.now = NOON + timedelta(hours=1)
    await approval.start_due(deps)
    await campaigns.send_campaign(request, deps)  # redelivered after it started
    trail = await actions(deps, campaign_id)
    assert trail.count("scheduled") == 1
    assert "sent" not in trail


async def test_quiet_hours_hold_texts_but_not_emails(deps: Deps, publisher: FakePublisher) -> None:
    clock = Clock(NIGHT)
    deps = timed(deps, clock)
    campaign = await campaigns.create_campaign(
        CreateCampaign(correlation_id=cid(), org_id=ORG, actor="u", name="Mixed", type="basic"),
        deps,
    )
    lists_of: list[tuple[Channel, range]] = [("sms", range(1, 3)), ("email", range(3, 6))]
    for channel, rows in lists_of:
        list_id = await register(deps, campaign.id, len(rows), channel=channel)
        outcomes = [outcome(i) for i in rows]
        if channel == "email":
            outcomes = [
                o.model_copy(
                    update={"patient": o.patient.model_copy(update={"contact": f"p{i}@x.nhs.uk"})}
                )
                for i, o in zip(rows, outcomes, strict=True)
                if o.patient is not None
            ]
        event = rows_resolved(campaign.id, list_id, outcomes, channel=channel)
        await lists.record_resolved_rows(event, deps)
    await write_message(deps, campaign.id, "Hello ((first_name))", subject="Flu")
    await send(deps, campaign.id, 5)

    assert await release_now(deps, campaign.id) == 3
    channels = [c.channel for r, c in publisher.published if isinstance(c, SendMessages)]
    assert set(channels) == {"email"}
    clock.now = NEXT_MORNING
    assert await release_now(deps, campaign.id) == 2
