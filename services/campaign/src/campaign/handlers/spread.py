"""Spreading a booking campaign's release over hours: an even share per hour-long window.

The window's count is saved on the campaign (compare-and-set) after each batch. A crash
between queueing a batch and counting it can let one extra batch (``release_batch_size``)
into that hour: a little more than the share, never a patient twice."""

from collections.abc import Callable

from ..domain.model import Campaign
from .changes import change_campaign
from .deps import Deps
from .loading import reread_or_held


async def _change(deps: Deps, campaign: Campaign, decide: Callable[[Campaign], bool]) -> Campaign:
    async def apply(c: Campaign) -> bool:
        return decide(c)

    changed, _ = await change_campaign(deps.campaigns, reread_or_held(deps, campaign), apply)
    return changed


async def spread_allowance(deps: Deps, campaign: Campaign) -> int:
    """How many recipients the next batch may release (the batch size when not spread)."""
    if campaign.spread_per_hour is None:
        return deps.release_batch_size
    now = deps.clock()
    current = await _change(deps, campaign, lambda c: c.open_spread_window(now))
    left = current.spread_left()
    return deps.release_batch_size if left is None else min(left, deps.release_batch_size)


async def count_released(deps: Deps, campaign: Campaign, released: int) -> None:
    if campaign.spread_per_hour is None or not released:
        return

    def count(c: Campaign) -> bool:
        c.spread_window_released += released
        return True

    await _change(deps, campaign, count)
