"""Leaving out of a draft the patients its review warns were sent the same message lately."""

import logging

from cohort_contracts.campaign_requests import ExcludeRecentlyMessaged
from cohort_contracts.campaign_views import ReviewView
from cohort_contracts.vocabulary import RecipientStatus, SendReason

from ..domain.errors import Conflict
from ..domain.model import EDITABLE, Campaign
from ..domain.repeat_guard import excluded_reason
from ..ports.recipients import Move
from .audit_trail import record_request
from .changes import change_campaign
from .deps import Deps
from .loading import load_campaign
from .repeat_guard import recently_messaged, with_repeat_warning
from .review import build_review

log = logging.getLogger(__name__)

#: Moves per write: the recipients repository applies each round in one bulk write.
_MOVES_PER_WRITE = 500


async def exclude_recently_messaged(req: ExcludeRecentlyMessaged, deps: Deps) -> ReviewView:
    async def check(campaign: Campaign) -> bool:
        if campaign.status not in EDITABLE:
            raise Conflict(f"Patients cannot be left out of a campaign that is {campaign.status}.")
        # Saved (a version bump) so a send deciding at the same moment decides again.
        if campaign.already_applied(req.message_id):
            return False
        campaign.remember(req.message_id)
        return True

    campaign, _ = await change_campaign(
        deps.campaigns, lambda: load_campaign(deps, req.readable_orgs, req.campaign_id), check
    )
    ids, days = await recently_messaged(deps, campaign)
    moved = 0
    for start in range(0, len(ids), _MOVES_PER_WRITE):
        moves = [
            Move(
                recipient_id=i,
                to=RecipientStatus.CANCELLED,
                reason_code=SendReason.RECENTLY_MESSAGED.value,
                reason=excluded_reason(days),
                from_states=frozenset({RecipientStatus.READY}),
            )
            for i in ids[start : start + _MOVES_PER_WRITE]
        ]
        moved += len(await deps.recipients.apply(campaign.org_id, moves))
    await record_request(deps, campaign, req, "recently_messaged_left_out", count=moved)
    log.info("recently messaged left out", extra={"campaign_id": str(campaign.id), "count": moved})
    review, _ = await build_review(deps, campaign, preview_count=3)
    return await with_repeat_warning(deps, campaign, review)
