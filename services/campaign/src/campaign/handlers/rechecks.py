"""Re-checking recipients against PDS just before they are sent, when their list was resolved
more than ``recheck_after_s`` before (CAMPAIGN_RECHECK_AFTER_H): a patient may have died, had
their record restricted, asked for no telephone contact or changed number since.

Campaign does not call PDS: ingest owns PDS access and the deployment's shared rate limit, so
each release batch's stale recipients go to ingest as one ``RecheckPatients`` and wait (ready,
but not released) for ``PatientsRechecked``. Then each is excluded with PDS's reason or takes
the current contact, and the next release sends it. A stale number is never used: nothing is
released for a stale recipient until PDS has answered for it."""

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from cohort_contracts.ingest import PatientsRechecked, RecheckItem, RecheckPatients
from cohort_contracts.routing import RECHECK_PATIENTS
from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, RecipientStatus, UploadReason

from ..domain.model import Campaign, Recipient
from ..ports.recipients import Confirmed, Move
from .deps import Deps
from .failed_numbers import failed_numbers

log = logging.getLogger(__name__)

_READY = frozenset({RecipientStatus.READY})


def needs_recheck(deps: Deps, campaign: Campaign, recipient: Recipient, now: datetime) -> bool:
    """Checked by PDS longer ago than the limit, and not since sending started (a recipient
    re-checked for this send is not asked again, whatever the limit)."""
    checked = recipient.checked_at or recipient.updated_at
    if campaign.sent_at is not None and checked >= campaign.sent_at:
        return False
    return now - checked > timedelta(seconds=deps.recheck_after_s)


def requested_before(deps: Deps, now: datetime) -> datetime:
    """Re-checks asked for before this are presumed lost (the command or its answer), and are
    asked for again."""
    return now - timedelta(seconds=deps.recheck_timeout_s)


async def hold_stale(deps: Deps, campaign: Campaign, ready: Sequence[Recipient]) -> list[Recipient]:
    """Asks ingest to re-check the stale ones and returns the rest, which may be sent now."""
    now = deps.clock()
    stale = [r for r in ready if needs_recheck(deps, campaign, r, now)]
    if not stale:
        return list(ready)
    command = RecheckPatients(
        correlation_id=campaign.id,
        org_id=campaign.org_id,
        campaign_id=campaign.id,
        batch_id=uuid.uuid4(),
        items=[
            RecheckItem(
                recipient_id=r.id, nhs_number=r.nhs_number, channel=r.channel, contact=r.contact
            )
            for r in stale
        ],
    )
    # Published before it is marked: a crash between them asks PDS twice, never zero times.
    await deps.publisher.publish(RECHECK_PATIENTS, command)
    await deps.rechecks.mark_requested([r.id for r in stale], now)
    log.info(
        "recipients sent for a re-check",
        extra={"campaign_id": str(campaign.id), "count": len(stale)},
    )
    held = {r.id for r in stale}
    return [r for r in ready if r.id not in held]


def _excluded_text(reason: UploadReason) -> str:
    return f"Checked again with PDS before sending: {UPLOAD_REASON_TEXT[reason]}"


async def record_rechecks(event: PatientsRechecked, deps: Deps) -> None:
    """Idempotent: every write is conditional on the recipient still being ready, so a
    redelivered or late answer changes nothing. ``PDS_UNAVAILABLE`` leaves the recipient
    waiting; it is asked for again once the request times out."""
    moves, confirmed = [], []
    # A number PDS gives now that failed for good when last texted is not texted either.
    changed = [o.contact for o in event.outcomes if o.reason_code is None and o.contact]
    failed = await failed_numbers(deps, event.org_id, changed)
    for o in event.outcomes:
        if o.reason_code is UploadReason.PDS_UNAVAILABLE:
            continue
        reason = o.reason_code
        if reason is None and o.contact is not None and o.contact in failed:
            reason = UploadReason.NUMBER_FAILED_BEFORE
        if reason is not None:
            text = _excluded_text(reason)
            moves.append(
                Move(o.recipient_id, RecipientStatus.FAILED, reason.value, text, None, _READY)
            )
        elif o.contact is not None:
            confirmed.append(
                Confirmed(o.recipient_id, o.contact, o.language, o.interpreter_required)
            )
    excluded = await deps.recipients.apply(event.org_id, moves)
    updated = await deps.rechecks.confirm(event.org_id, confirmed, deps.clock())
    log.info(
        "re-check recorded",
        extra={
            "campaign_id": str(event.campaign_id),
            "excluded": len(excluded),
            "confirmed": updated,
            "waiting": len(event.outcomes) - len(moves) - len(confirmed),
        },
    )
