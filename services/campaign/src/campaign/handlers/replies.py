"""Patients' replies to campaigns that allow them."""

import logging

from cohort_contracts.sending import ReplyReceived

from .deps import Deps
from .suppressions import opt_out_from_reply

log = logging.getLogger(__name__)


async def record_reply(event: ReplyReceived, deps: Deps) -> None:
    """Store the reply against the patient's recipient in the most recent campaign of the
    organisation that allowed replies and messaged that number. Idempotent: a redelivered
    reply writes the same values again. A STOP (or its variants) also puts the number on the
    organisation's opt-out list, whichever campaign it answers."""
    await opt_out_from_reply(event, deps)
    candidates = await deps.recipients.for_contact(event.org_id, event.from_number)
    best = None
    for recipient in candidates:
        campaign = await deps.campaigns.get(event.org_id, recipient.campaign_id)
        if campaign is None or not campaign.allow_replies:
            continue
        when = campaign.sent_at or campaign.created_at
        if best is None or when > best[0]:
            best = (when, recipient.id)
    if best is None:
        log.info("reply matches no campaign that allows replies", extra={"org_id": event.org_id})
        return
    await deps.recipients.set_reply(event.org_id, best[1], event.message, event.received_at)
    log.info("reply recorded", extra={"recipient_id": best[1]})
