"""What became of each message: dispatch's reports, completion, expiry, settled counts
(provider receipts are ``receipts``).

Every recipient change here is a conditional update on the states it may come from, so a
redelivered or out-of-order report changes nothing; the campaign itself changes only through
``change_campaign``. Delivery sets the save-to-record flag in the same write; publishing those
entries is the outbox drainer's job (``record_entries``), never a receipt handler's."""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter

from cohort_contracts.sending import MessagesSent, SendOutcome
from cohort_contracts.vocabulary import CampaignStatus, RecipientStatus

from ..domain.errors import NotFound
from ..domain.model import RETURNED_FROM, UNCLAIMED_FROM, UNSENT, UNSENT_PROBES, Campaign
from ..ports.recipients import Move
from .audit_trail import record_audit
from .changes import change_campaign
from .deps import Deps
from .failed_numbers import exclude_unsent_at_failed_numbers
from .loading import reload_campaign
from .receipts import apply_early_receipts
from .release import RELEASE_LEASE_S, release_lease

log = logging.getLogger(__name__)

RECEIPT_TIMEOUTS = Counter(
    "campaign_receipt_timeouts",
    "Recipients settled because no receipt came in time: 'failed' (sent, never confirmed, "
    "CAMPAIGN_RECEIPT_TIMEOUT_S) or 'outcome_unknown' (claimed, never reported on by dispatch)",
    ["outcome"],
)
for _outcome in ("failed", "outcome_unknown"):
    RECEIPT_TIMEOUTS.labels(_outcome)

SEND_STATUS = {
    "sent": RecipientStatus.SENT,
    "delivered": RecipientStatus.DELIVERED,
    "failed": RecipientStatus.FAILED,
    "outcome_unknown": RecipientStatus.OUTCOME_UNKNOWN,
}


async def _pause(event: MessagesSent, deps: Deps) -> None:
    assert event.blocked is not None
    reason = event.blocked.reason

    async def pause(campaign: Campaign) -> bool:
        return campaign.pause(reason)

    campaign, paused = await change_campaign(
        deps.campaigns, reload_campaign(deps, event.org_id, event.campaign_id), pause
    )
    if paused:
        await record_audit(
            deps,
            campaign,
            "dispatch",
            "paused",
            cause=event.message_id,
            reason_code=event.blocked.reason_code.value,
            reason=event.blocked.reason,
        )
        log.warning(
            "campaign paused by a provider problem",
            extra={"campaign_id": str(event.campaign_id), "reason_code": event.blocked.reason_code},
        )


async def record_messages_sent(event: MessagesSent, deps: Deps) -> None:
    if event.blocked is not None:
        try:
            await _pause(event, deps)
        except NotFound:
            log.warning("report for an unknown campaign", extra={"batch_id": str(event.batch_id)})
            return
    moves = [_move(event, o) for o in event.outcomes]
    moved = await deps.recipients.apply(event.org_id, moves)
    await exclude_unsent_at_failed_numbers(deps, event.org_id, moves, moved)
    if any(m.to is RecipientStatus.READY for m in moved):
        await _cancel_if_cancelled(event.org_id, event.campaign_id, deps)
    if any(m.to is RecipientStatus.DELIVERED for m in moved):
        deps.record_entries_waiting.set()
    await apply_early_receipts(event, deps)
    await finish_if_done(event.org_id, event.campaign_id, deps)


def _move(event: MessagesSent, outcome: SendOutcome) -> Move:
    if outcome.status in ("returned", "not_claimed"):
        # Claimed but certainly not sent (``returned``: sending was blocked), or never claimed
        # (the campaign was paused, or the claim came too late): ready again, to be released
        # when the campaign resumes. Only from the batch that reported it: a late or repeated
        # report must not pull back a recipient released again since (it would go twice).
        return Move(
            outcome.recipient_id,
            RecipientStatus.READY,
            from_states=RETURNED_FROM if outcome.status == "returned" else UNCLAIMED_FROM,
            batch_id=event.batch_id,
        )
    return Move(
        outcome.recipient_id,
        SEND_STATUS[outcome.status],
        None if outcome.reason_code is None else outcome.reason_code.value,
        outcome.reason,
        provider_reference=outcome.provider_reference,
    )


async def _cancel_if_cancelled(org_id: str, campaign_id: uuid.UUID, deps: Deps) -> None:
    """Recipients just put back to ready belong to a campaign that may have been cancelled
    meanwhile; cancel writes its status before cancelling what is unsent, and this looks at the
    status after writing, so whichever runs last catches them."""
    campaign = await deps.campaigns.get(org_id, campaign_id)
    if campaign is not None and campaign.status is CampaignStatus.CANCELLED:
        await deps.recipients.cancel_unsent(campaign_id)


async def finish_if_done(
    org_id: str, campaign_id: uuid.UUID, deps: Deps, *, trust_counts: bool = True
) -> bool:
    """Completes a sending campaign once nothing is left unsent, without counting: the counters
    say when that may be so, and index probes confirm it (the counters can lag after a crash).
    The sweeper probes without asking the counters, so a campaign whose counters lag still
    completes. Whether it completed.

    The probes run under the campaign's release lease: a release moving recipients from ready
    to queued between two probes would otherwise hide them from both, and the campaign would
    complete with its patients queued and every claim refused. A release under way means
    there is more to send; whoever looks after it (a report, the sweep) finishes."""

    async def finish(campaign: Campaign) -> bool:
        if campaign.status is not CampaignStatus.SENDING:
            return False
        unsent = await deps.recipients.any_in(campaign_id, UNSENT_PROBES)
        return campaign.finish_if_done(1 if unsent else 0)

    if trust_counts:
        counts = await deps.recipients.counts(campaign_id)
        if sum(counts.get(s, 0) for s in UNSENT):
            return False
    lease, holder = release_lease(campaign_id), f"{deps.instance_id}:finish"
    if not await deps.leases.acquire(lease, holder, RELEASE_LEASE_S):
        return False
    try:
        _, finished = await change_campaign(
            deps.campaigns, reload_campaign(deps, org_id, campaign_id), finish
        )
    except NotFound:
        return False
    finally:
        await deps.leases.release(lease, holder)
    if finished:
        log.info("campaign completed", extra={"campaign_id": str(campaign_id)})
    return finished


#: States a recipient of an ended campaign can still leave (a receipt may yet come for a sent
#: message, or the expiry may settle it); outcome_unknown stays unless a late receipt comes.
#: Probed in this order, for the reason given at ``UNSENT_PROBES``.
MOVING = (*UNSENT_PROBES[:-1], RecipientStatus.SENT, RecipientStatus.READY)


async def settle_counts(deps: Deps) -> int:
    """Once an ended campaign's recipients stop moving, count them once and store that, so a
    count lost to a crash between a write and its counter is made good. Race-free because
    nothing moves them any more."""
    settled = 0
    for campaign in await deps.campaigns.list_unsettled():
        if await deps.recipients.any_in(campaign.id, MOVING):
            continue
        before = await deps.recipients.counts(campaign.id)
        after = await deps.recipients.recount(campaign.id)
        if before != after:
            log.warning(
                "campaign counters corrected",
                extra={
                    "campaign_id": str(campaign.id),
                    "off_by": sum(after.values()) - sum(before.values()),
                },
            )
        await deps.campaigns.mark_counts_settled(campaign.id)
        settled += 1
    return settled


async def expire_unsettled(deps: Deps, receipt_timeout_s: float, claim_timeout_s: float) -> int:
    """None stays in flight once receipts stop coming (Notify gives up after 72 hours): a sent
    message never confirmed fails with NO_RECEIPT; a claim dispatch never reported on (it
    crashed mid-send) may have reached the provider, so it becomes outcome_unknown. Each
    recipient moves once however many instances sweep at the same time."""
    now = datetime.now(UTC)
    expiries = [
        (
            RecipientStatus.SENT,
            receipt_timeout_s,
            RecipientStatus.FAILED,
            "The mobile network never confirmed delivery. The phone may be off or out of signal.",
        ),
        (
            RecipientStatus.SENDING,
            claim_timeout_s,
            RecipientStatus.OUTCOME_UNKNOWN,
            "We cannot tell whether this message was sent; it was not sent again.",
        ),
    ]
    touched: list[tuple[str, uuid.UUID]] = []
    for waiting, timeout_s, to, reason in expiries:
        older_than = now - timedelta(seconds=timeout_s)
        expired = await deps.recipients.expire(waiting, older_than, to, "NO_RECEIPT", reason)
        # The counter's labels are the states they end in ("failed", "outcome_unknown").
        RECEIPT_TIMEOUTS.labels(to.value).inc(len(expired))
        touched += expired
    for org_id, campaign_id in set(touched):
        await finish_if_done(org_id, campaign_id, deps)
    return len(touched)
