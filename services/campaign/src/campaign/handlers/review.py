"""The review before sending: the message rendered for real recipients, and what sending it to
every ready recipient costs, computed without rendering every recipient (see ``tally_ready``)."""

from datetime import UTC, date, datetime

from cohort_contracts.campaign_requests import GetReview
from cohort_contracts.campaign_views import (
    LanguageNeedCount,
    NonGsmCharacter,
    RenderedPreview,
    ReviewView,
)
from cohort_contracts.vocabulary import Channel, RecipientStatus
from cohort_nhs import sms_fragments

from ..domain.fragments import non_gsm_report
from ..domain.model import TAKEN_OUT_BEFORE_SENDING, Campaign
from ..domain.review import TOO_LONG_LISTED, ReviewTally, measure, stand_in_names
from .credit import ensure_credit, with_credit
from .deps import Deps
from .loading import load_campaign
from .repeat_guard import with_repeat_warning
from .suppressions import with_unsubscribe
from .views import reason_counts


async def excluded_by_reason(deps: Deps, campaign: Campaign) -> dict[str, int]:
    """Rows that failed at upload, and recipients taken out since (opted out, or their number
    failed for good elsewhere), by reason."""
    by_reason = dict(await deps.lists.failed_by_reason(campaign.id))
    taken_out = sorted(TAKEN_OUT_BEFORE_SENDING)
    later = await deps.exclusions.excluded_by_reason(campaign.id, taken_out)
    for code, n in later.items():
        by_reason[code] = by_reason.get(code, 0) + n
    return by_reason


async def lists_resolving(deps: Deps, campaign: Campaign) -> int:
    resolving = 0
    for patient_list in await deps.lists.for_campaign(campaign.id):
        progress = await deps.lists.progress(patient_list)
        resolving += progress.processed < patient_list.total_rows
    return resolving


async def tally_ready(deps: Deps, campaign: Campaign) -> ReviewTally:
    """Every ready recipient counted and costed without rendering each one: a message's size
    depends on the patient only through their names' shapes, so the database counts ready
    recipients by channel and names key, and one message per key is rendered with stand-in
    names of exactly that shape (a few hundred at most, however many recipients)."""
    tally = ReviewTally()
    too_long: dict[Channel, list[str]] = {}
    for channel, names, count in await deps.recipient_messages.ready_by_names(campaign.id):
        if names is None:
            continue  # stored before names keys: measured one by one below
        size = None
        if campaign.message is not None:
            given, family = stand_in_names(names)
            body = deps.renderer.render(campaign, SAMPLE_ID, given, family).body
            size = measure(channel, body)
            if size.too_long and channel == "sms":
                too_long.setdefault(channel, []).append(names)
        tally.add_many(channel, size, count)
    for channel, keys in too_long.items():
        tally.too_long += await deps.recipient_messages.ready_with_names(
            campaign.id, channel, keys, TOO_LONG_LISTED
        )
    async for r in deps.recipient_messages.ready_without_names(campaign.id):
        size = None
        if campaign.message is not None:
            size = measure(r.channel, deps.renderer.render_for(campaign, r).body)
        tally.add(r.id, r.channel, size)
    return tally


#: Links have the same length for every recipient of a campaign; any well-formed id gives it.
SAMPLE_ID = "0" * 32


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
                body=with_unsubscribe(deps, r, message.body),
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
    resolving = await lists_resolving(deps, campaign)
    review = ReviewView(
        campaign_id=campaign.id,
        status=campaign.status,
        recipient_count=tally.recipient_count,
        recipients_by_channel=tally.by_channel,
        excluded_by_reason=reason_counts(await excluded_by_reason(deps, campaign)),
        previews=await _previews(deps, campaign, preview_count, today),
        total_fragments=tally.total_fragments,
        lists_resolving=resolving,
        largest_message_fragments=tally.largest_fragments,
        largest_message_characters=tally.largest_characters,
        non_gsm_characters=_non_gsm(campaign, tally),
        too_long=tally.too_long[:TOO_LONG_LISTED],
        credits_needed=tally.total_fragments,
        language_needs=[
            LanguageNeedCount(language=language, count=n, interpreter_required=interpreter)
            for language, n, interpreter in await deps.recipient_messages.ready_language_needs(
                campaign.id
            )
        ],
        cannot_send_because=campaign.cannot_send_because(
            ready=tally.recipient_count, lists_resolving=resolving
        ),
    )
    return await with_credit(review, campaign.org_id, deps), tally


async def get_review(req: GetReview, deps: Deps) -> ReviewView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    review, _ = await build_review(deps, campaign, req.preview_count)
    return await with_repeat_warning(deps, campaign, review)


async def review_before_sending(deps: Deps, campaign: Campaign) -> ReviewView:
    """The review a send or an approval decides on, as it is now: the count confirmed must be
    the count reviewed, and a balance that certainly does not cover it refuses the send."""
    review, _ = await build_review(deps, campaign, preview_count=0)
    ensure_credit(review)
    return review
