"""Each ready recipient's message size, measured once per message and stored with them.

A review at 100,000 recipients cannot render every message per request, so sizes are measured
when the message is set (in the background, ``size_ready``) and when rows arrive for a campaign
that has a message (``sized``), and stored under the message's size key; the review adds them
up in the database and only measures those not yet measured for the current message."""

from collections.abc import Sequence

from ..domain.model import Campaign, Recipient
from ..domain.review import MessageSize, measure
from .deps import Deps

#: Recipients measured and written per round trip.
BATCH = 500


def sized(deps: Deps, campaign: Campaign, recipients: Sequence[Recipient]) -> list[Recipient]:
    """The recipients with their size for the campaign's current message (if it has one)."""
    key = deps.renderer.size_key(campaign)
    if key is None:
        return list(recipients)
    for r in recipients:
        r.size_key, r.size = key, _measure(deps, campaign, r)
    return list(recipients)


def _measure(deps: Deps, campaign: Campaign, r: Recipient) -> MessageSize:
    return measure(r.channel, deps.renderer.render_for(campaign, r).body)


async def size_ready(deps: Deps, campaign: Campaign) -> int:
    """Measure every ready recipient not yet measured for the campaign's message."""
    key = deps.renderer.size_key(campaign)
    if key is None:
        return 0
    done, batch = 0, []
    async for r in deps.recipient_messages.unsized(campaign.id, key):
        batch.append((r.id, _measure(deps, campaign, r)))
        if len(batch) >= BATCH:
            await deps.recipient_messages.set_sizes(key, batch)
            done, batch = done + len(batch), []
    await deps.recipient_messages.set_sizes(key, batch)
    return done + len(batch)
