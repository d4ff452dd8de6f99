"""The repeat guard at review: which patients were sent the same message lately."""

from datetime import timedelta

from cohort_contracts.campaign_views import RepeatWarning, ReviewView
from cohort_contracts.vocabulary import CampaignStatus

from ..domain.model import EDITABLE, Campaign
from ..domain.repeat_guard import message_keys
from .deps import Deps


async def recently_messaged(deps: Deps, campaign: Campaign) -> tuple[list[str], int]:
    """Ids of the campaign's ready recipients sent the same message lately, and the window."""
    days = deps.safety.for_org(campaign.org_id).repeat_window_days
    since = deps.clock() - timedelta(days=days)
    ids = await deps.repeats.recently_messaged(
        campaign.org_id, campaign.id, message_keys(campaign), since
    )
    return ids, days


def warning(count: int, days: int) -> RepeatWarning | None:
    if count == 0:
        return None
    patients = "patient was" if count == 1 else "patients were"
    return RepeatWarning(
        count=count,
        days=days,
        message=f"{count} {patients} sent this message by your practice in the last {days} "
        "days. You can leave them out.",
    )


#: A draft, for the sender, and a send awaiting approval, for the approver: it has released
#: nothing yet. Once sending, its own recipients are what it released.
WARNED = EDITABLE | {CampaignStatus.AWAITING_APPROVAL}


async def with_repeat_warning(deps: Deps, campaign: Campaign, review: ReviewView) -> ReviewView:
    if campaign.status not in WARNED or campaign.message is None:
        return review
    ids, days = await recently_messaged(deps, campaign)
    return review.model_copy(update={"repeat_warning": warning(len(ids), days)})
