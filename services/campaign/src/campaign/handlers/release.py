"""Handing rendered messages to dispatch, and the claims dispatch makes before sending them.

Releasing a campaign is leased (one instance at a time per campaign, whichever gets there
first), and every step is conditional in the store as well: a recipient moves ready → queued
once, so even two releasers that overlapped (a lease that expired under a stalled process)
could not queue anyone twice, and dispatch claims each recipient before any provider call."""

import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.routing import SEND_MESSAGES
from cohort_contracts.sending import OutboundMessage, SendMessages
from cohort_contracts.vocabulary import CampaignStatus, Channel

from ..domain.model import Campaign, Recipient
from ..domain.quiet_hours import quiet_until
from ..domain.repeat_guard import message_keys
from ..domain.review import too_long
from .audit_trail import record_audit
from .changes import change_campaign
from .deps import Deps
from .loading import reread_or_held
from .rechecks import hold_stale, requested_before
from .spread import count_released, spread_allowance
from .suppressions import exclude, suppressed_of, unsubscribe_url, with_unsubscribe

log = logging.getLogger(__name__)

#: A releaser renews its lease before every batch; a batch takes well under a second, so a
#: lease this long only lapses if the process has died or stalled.
RELEASE_LEASE_S = 30.0
#: Names the audit entries of quiet spells (one per spell, whichever instance writes it).
_QUIET_NAMESPACE = uuid.UUID("0d1e4c55-2f0b-4f7e-9d7e-5c1b8f0a7e21")


def release_lease(campaign_id: uuid.UUID) -> str:
    return f"release:{campaign_id}"


def _rendered(deps: Deps, campaign: Campaign, r: Recipient) -> Recipient:
    # The review's renderer: the same text, and the same link (fixed by the send date).
    message = deps.renderer.render_for(campaign, r)
    return replace(r, body=with_unsubscribe(deps, r, message.body), subject=message.subject)


async def _publish_batch(
    deps: Deps, campaign: Campaign, batch_id: uuid.UUID, recipients: list[Recipient]
) -> None:
    command = SendMessages(
        correlation_id=campaign.id,
        org_id=campaign.org_id,
        campaign_id=campaign.id,
        channel=recipients[0].channel,
        batch_id=batch_id,
        messages=[
            OutboundMessage(
                recipient_id=r.id,
                to=r.contact,
                body=r.body or "",
                subject=r.subject,
                unsubscribe_url=unsubscribe_url(deps, r),
            )
            for r in recipients
        ],
    )
    await deps.publisher.publish(SEND_MESSAGES, command)


async def _release_batch(deps: Deps, campaign: Campaign, ready: list[Recipient]) -> int:
    # The last guard before dispatch: whoever opted out since the review is not sent to.
    opted_out = await suppressed_of(deps, campaign.org_id, ready)
    if opted_out:
        await exclude(deps, campaign.org_id, sorted(opted_out))
        ready = [r for r in ready if r.id not in opted_out]
    # A list resolved long ago is checked with PDS again first; those wait for its answer.
    ready = await hold_stale(deps, campaign, ready)
    if not ready:
        return 0
    rendered = [_rendered(deps, campaign, r) for r in ready]
    # The review left these out of the count staff confirmed; they fail here by the same rule.
    long_ones = [r.id for r in rendered if too_long(r.channel, r.body or "")]
    if long_ones:
        await deps.recipient_messages.fail_too_long(campaign.id, long_ones)
    sendable = [r for r in rendered if r.id not in set(long_ones)]
    batch_id = uuid.uuid4()
    await deps.releases.opened(batch_id, campaign.id, campaign.org_id)
    keys = message_keys(campaign)
    moved = set(await deps.recipients.mark_queued(sendable, batch_id, keys, deps.clock()))
    for channel in sorted({r.channel for r in sendable}):
        batch = [r for r in sendable if r.id in moved and r.channel == channel]
        if batch:
            await _publish_batch(deps, campaign, batch_id, batch)
    await deps.releases.published(batch_id)
    return len(moved)


async def _held_until(deps: Deps, campaign: Campaign) -> datetime | None:
    """When the organisation's quiet hours in force now end (None: SMS may go). The campaign
    records it, so staff see why their texts wait and until when; it clears itself after."""
    now = deps.clock()
    until = quiet_until(deps.safety.for_org(campaign.org_id).quiet_hours, now)
    if campaign.held_until == until:
        return until

    async def hold(c: Campaign) -> bool:
        return c.hold(until)

    held, changed = await change_campaign(deps.campaigns, reread_or_held(deps, campaign), hold)
    if changed:
        # One entry per quiet spell, whichever instance notices it first.
        key = f"{campaign.id}:{until.isoformat() if until else 'resumed'}:{now:%Y%m%d%H}"
        await record_audit(
            deps,
            held,
            "releaser",
            "held_for_quiet_hours" if until else "quiet_hours_ended",
            cause=uuid.uuid5(_QUIET_NAMESPACE, key),
            **({"until": until.isoformat()} if until else {}),
        )
        log.info(
            "quiet hours hold SMS" if until else "quiet hours over; releasing SMS",
            extra={"campaign_id": str(campaign.id)},
        )
    return until


async def release(campaign: Campaign, deps: Deps) -> int:
    """Render and hand to dispatch every ready recipient of a sending campaign, a batch at a
    time, while this instance holds the campaign's release lease. In the organisation's quiet
    hours SMS stay ready (email still goes); the sweep releases them when the hours end."""
    lease = release_lease(campaign.id)
    released = 0
    channels: set[Channel] | None = None
    # Fixed for the whole call: a re-check asked for in this call is never asked again in it.
    cutoff = requested_before(deps, deps.clock())
    try:
        while await deps.leases.acquire(lease, deps.instance_id, RELEASE_LEASE_S):
            # Read again before every batch: a cancel or pause stops the release here.
            current = await deps.campaigns.get(campaign.org_id, campaign.id)
            if current is None or current.status is not CampaignStatus.SENDING:
                break
            only: Channel | None = None
            if await _held_until(deps, current) is not None:
                if channels is None:
                    channels = {p.channel for p in await deps.lists.for_campaign(campaign.id)}
                if "email" not in channels:
                    break
                only = "email"
            limit = await spread_allowance(deps, current)
            if limit == 0:
                break
            # Ready, less those awaiting a re-check with PDS (see ``rechecks``).
            ready = await deps.rechecks.ready_to_release(
                campaign.id, min(limit, deps.release_batch_size), cutoff, only
            )
            if not ready:
                break
            moved = await _release_batch(deps, current, ready)
            await count_released(deps, current, moved)
            released += moved
    finally:
        await deps.leases.release(lease, deps.instance_id)
    return released


async def republish_unpublished(deps: Deps, older_than_s: float) -> int:
    """Heal a crash between marking a batch queued and publishing it. Each batch is claimed
    first, so of several instances sweeping at once only one republishes it."""
    healed = 0
    for batch_id, campaign_id, org_id in await deps.releases.unpublished(older_than_s):
        if not await deps.releases.claim_republish(batch_id, older_than_s):
            continue
        campaign = await deps.campaigns.get(org_id, campaign_id)
        queued = await deps.recipients.in_batch(batch_id)
        if campaign is not None and queued:
            for channel in sorted({r.channel for r in queued}):
                await _publish_batch(
                    deps, campaign, batch_id, [r for r in queued if r.channel == channel]
                )
            healed += len(queued)
        await deps.releases.published(batch_id)
    return healed


async def claim_messages(req: ClaimMessages, deps: Deps) -> ClaimResult:
    # A claim older than this has been given up by dispatch (its request timed out and the
    # batch will be redelivered). Applying it now would mark patients ``sending`` that nobody
    # will send to, so it is refused; the recipients come back through ``not_claimed``.
    if datetime.now(UTC) - req.occurred_at > timedelta(seconds=deps.claim_deadline_s):
        log.warning("stale claim refused", extra={"campaign_id": str(req.campaign_id)})
        return ClaimResult(claimed=[])
    campaign = await deps.campaigns.get(req.org_id, req.campaign_id)
    if campaign is None or campaign.status is not CampaignStatus.SENDING:
        return ClaimResult(claimed=[])
    # The last gate before the provider: a text released just before quiet hours began but
    # still waiting in dispatch's queue is not sent at night either. Refused, it returns to
    # ready (``not_claimed``) and goes when the hours end.
    quiet = deps.safety.for_org(campaign.org_id).quiet_hours
    if req.channel != "email" and quiet_until(quiet, deps.clock()) is not None:
        log.info("claim held for quiet hours", extra={"campaign_id": str(req.campaign_id)})
        return ClaimResult(claimed=[])
    # Keyed by the request: dispatch asks again with the same message when an answer is lost
    # (a broker restart, a campaign instance killed after writing), and gets the recipients
    # the first asking claimed for it instead of none (they would never be sent).
    claimed = await deps.recipients.claim(
        req.org_id,
        req.campaign_id,
        req.recipient_ids,
        req.provider_references,
        claim_id=req.message_id.hex,
    )
    # Look again after writing: a cancel saved between the check above and the claim would
    # otherwise let these go out after staff were told sending had stopped. Cancel writes the
    # status first and then cancels what is unclaimed; whichever of the two looks last sees
    # the other's write, so a recipient is either cancelled or sent, never stranded.
    after = await deps.campaigns.get(req.org_id, req.campaign_id)
    if claimed and after is not None and after.status is CampaignStatus.CANCELLED:
        withdrawn = set(await deps.recipients.cancel_claimed(req.org_id, req.campaign_id, claimed))
        claimed = [i for i in claimed if i not in withdrawn]
    return ClaimResult(claimed=claimed)
