"""Changing a campaign safely when several handlers (and instances) may change it at once.

Every change follows one pattern: read the campaign, decide on that state (the domain method
may refuse), save with a compare-and-set on its version. If someone saved in between, the save
raises ``ConcurrentUpdate`` and the whole decision is made again on the fresh state, so no
change is ever made on a state that no longer exists and none overwrites another."""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable

from ..domain.model import Campaign
from ..ports.campaigns import CampaignRepository, ConcurrentUpdate

log = logging.getLogger(__name__)

#: Conflicts need two writers within milliseconds on one campaign; a handful of fresh attempts
#: always suffices in practice. If not, the error propagates and the message is redelivered.
ATTEMPTS = 8

Find = Callable[[], Awaitable[Campaign]]
#: Decides on the campaign (mutating it); returns whether there is anything to save.
Decide = Callable[[Campaign], Awaitable[bool]]


async def change_campaign(
    campaigns: CampaignRepository, find: Find, decide: Decide
) -> tuple[Campaign, bool]:
    """The campaign as saved (or as found, when ``decide`` had nothing to change), and whether
    this call changed it."""
    for attempt in range(ATTEMPTS):
        campaign = await find()
        if not await decide(campaign):
            return campaign, False
        try:
            await campaigns.save(campaign)
            return campaign, True
        except ConcurrentUpdate:
            log.info(
                "campaign changed meanwhile; deciding again",
                extra={"campaign_id": str(campaign.id), "attempt": attempt + 1},
            )
            # Jitter, so two writers that collided do not collide again in lockstep.
            await asyncio.sleep(random.uniform(0, 0.005 * 2**attempt))
    raise ConcurrentUpdate(campaign.id)
