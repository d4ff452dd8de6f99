"""The review before sending: the message rendered for real recipients, and what sending it to
every ready recipient costs. The costs are sizes measured once per message (``sizing``) and
added up by the database, so a review does not render every recipient per request."""

from datetime import UTC, date, datetime

from cohort_contracts.campaign_requests import GetReview
from cohort_contracts.campaign_views import NonGsmCharacter, RenderedPreview, ReviewView
from cohort_contracts.vocabulary import RecipientStatus

from ..domain.fragments import non_gsm_report, sms_fragments
from ..domain.model import Campaign
from ..domain.review import TOO_LONG_LISTED, ReviewTally, SizeTotals
from .credit import with_credit
from .deps import Deps
from .loading import load_campaign
from .sizing import size_ready
from .views import reason_counts


async def lists_resolving(deps: Deps, campaign: Campaign) -> int:
    resolving = 0
    for patient_list in await deps.lists.for_campaign(campaign.id):
        progress = await deps.lists.progress(patient_list)
        resolving += progress.processed < patient_list.total_rows
    return resolving


async def tally_ready(deps: Deps, campaign: Campaign) -> ReviewTally:
    """Every ready recipient counted and costed: those not yet measured for this message are
    measured (and their sizes kept), then the stored sizes are added up by the database."""
    tally = ReviewTally()
    key = deps.renderer.size_key(campaign)
    if key is None:
        for channel, n in (await deps.recipient_messages.ready_by_channel(campaign.id)).items():
            tally.merge(SizeTotals(channel, n, 0, 0, 0, 0))  # type: ignore[arg-type]
        return tally
    # Measure first, then add up: counting the two separately could miss recipients that a
    # concurrent review (or the background measuring) stored in between.
    await size_ready(deps, campaign)
    for totals in await deps.recipient_messages.size_totals(campaign.id, key):
        tally.merge(totals)
    tally.too_long = await deps.recipient_messages.too_long_ids(campaign.id, key, TOO_LONG_LISTED)
    return tally


async def _previews(
    deps: Deps, campaign: Campaign, count: int, today: date
) -> list[RenderedPreview]:
    if campaign.message is None or count == 0:
        return []
    previews = []
    for r in await deps.recipients.with_status(campaign.id, RecipientStatus.READY, count):
        message = deps.renderer.render_for(campaign, r, today)
        previews.append(
            RenderedPreview(
                recipient_id=r.id,
                body=message.body,
                subject=message.subject,
                fragments=sms_fragments(message.body) if r.channel == "sms" else 0,
            )
        )
    return previews


def _non_gsm(campaign: Campaign, tally: ReviewTally) -> list[NonGsmCharacter]:
    """Characters in the text staff wrote that make every SMS UCS-2 (more fragments). Not
    reported for a campaign whose recipients are all email."""
    if campaign.message is None:
        return []
    if tally.by_channel and "sms" not in tally.by_channel and not tally.too_long:
        return []
    return [
        NonGsmCharacter(position=i, character=ch, suggestion=s)
        for i, ch, s in non_gsm_report(campaign.message.body)
    ]


async def build_review(
    deps: Deps, campaign: Campaign, preview_count: int
) -> tuple[ReviewView, ReviewTally]:
    """The review, and its tally (which names every too-long recipient, not just the first
    ``TOO_LONG_LISTED``: sending excludes them all)."""
    today = datetime.now(UTC).date()
    tally = await tally_ready(deps, campaign)
    review = ReviewView(
        campaign_id=campaign.id,
        status=campaign.status,
        recipient_count=tally.recipient_count,
        recipients_by_channel=tally.by_channel,
        excluded_by_reason=reason_counts(await deps.lists.failed_by_reason(campaign.id)),
        previews=await _previews(deps, campaign, preview_count, today),
        total_fragments=tally.total_fragments,
        lists_resolving=await lists_resolving(deps, campaign),
        largest_message_fragments=tally.largest_fragments,
        largest_message_characters=tally.largest_characters,
        non_gsm_characters=_non_gsm(campaign, tally),
        too_long=tally.too_long[:TOO_LONG_LISTED],
        credits_needed=tally.total_fragments,
    )
    return await with_credit(review, campaign.org_id, deps), tally


async def get_review(req: GetReview, deps: Deps) -> ReviewView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    review, _ = await build_review(deps, campaign, req.preview_count)
    return review
