"""Provider receipts: each final one moves its recipient to delivered or failed.

Receipts come in batches (``DeliveriesReported``) and are applied in one round of writes; a
single ``DeliveryReported`` (from an older dispatch, or kept early, see below) takes the same
path. Delivery sets the save-to-record flag in the same write as the delivery; the outbox
drainer publishes the entry."""

import logging
from collections.abc import Sequence

from cohort_contracts.sending import (
    DeliveriesReported,
    DeliveryReport,
    DeliveryReported,
    MessagesSent,
)
from cohort_contracts.vocabulary import RecipientStatus

from ..ports.recipients import Move
from .deps import Deps
from .failed_numbers import exclude_unsent_at_failed_numbers

log = logging.getLogger(__name__)


async def record_reports(event: DeliveriesReported | DeliveryReported, deps: Deps) -> None:
    if isinstance(event, DeliveriesReported):
        await record_deliveries(event, deps)
    else:
        await record_delivery(event, deps)


async def record_delivery(event: DeliveryReported, deps: Deps) -> None:
    report = DeliveryReport(receipt_id=event.message_id, **event.model_dump(include=_REPORT))
    await _record(event.org_id, [report], deps)


async def record_deliveries(event: DeliveriesReported, deps: Deps) -> None:
    await _record(event.org_id, event.reports, deps)


_REPORT = {
    "recipient_id",
    "provider_reference",
    "mobile",
    "status",
    "reason_code",
    "reason",
    "permanent",
    "reported_at",
}


async def _record(org_id: str, reports: Sequence[DeliveryReport], deps: Deps) -> None:
    # A pending receipt never overrides anything; the final one follows.
    final = [r for r in reports if r.status != "pending"]
    shared = [(r.provider_reference, r.mobile) for r in final if _shared(r)]
    matched = await deps.recipients.find_by_provider_references(org_id, shared)  # type: ignore[arg-type]
    moves = []
    for report in final:
        recipient_id = report.recipient_id
        if recipient_id is None and _shared(report):
            key = (report.provider_reference, report.mobile)
            recipient_id = matched.get(key) or await _keep_early(org_id, report, deps)  # type: ignore[arg-type]
        if recipient_id is None:
            if not _shared(report):
                log.warning(
                    "receipt names no recipient", extra={"receipt_id": str(report.receipt_id)}
                )
            continue
        to = RecipientStatus.DELIVERED if report.status == "delivered" else RecipientStatus.FAILED
        reason_code = None if report.reason_code is None else report.reason_code.value
        moves.append(
            Move(recipient_id, to, reason_code, report.reason, failure_permanent=report.permanent)
        )
    moved = await deps.recipients.apply(org_id, moves)
    await exclude_unsent_at_failed_numbers(deps, org_id, moves, moved)
    done = {m.recipient_id for m in moved}
    for move in moves:
        if move.recipient_id not in done:  # a repeat, or later than a final state: rare
            log.info("receipt changed nothing", extra={"recipient_id": move.recipient_id})
    if any(m.to is RecipientStatus.DELIVERED for m in moved):
        deps.record_entries_waiting.set()


def _shared(report: DeliveryReport) -> bool:
    return report.recipient_id is None and bool(report.provider_reference and report.mobile)


async def _keep_early(org_id: str, report: DeliveryReport, deps: Deps) -> str | None:
    """A receipt for a shared reference can overtake dispatch's report of which recipients the
    reference covers: keep it until the report comes. Both sides write first and look second,
    so whichever runs last applies the receipt."""
    assert report.provider_reference is not None
    assert report.mobile is not None
    event = DeliveryReported(
        message_id=report.receipt_id,
        correlation_id=report.receipt_id,
        org_id=org_id,
        **report.model_dump(include=_REPORT),
    )
    key = f"{report.provider_reference}:{report.mobile}:{report.status}:{report.receipt_id}"
    await deps.early_receipts.keep(org_id, report.provider_reference, event.model_dump_json(), key)
    found = await deps.recipients.find_by_provider_reference(
        org_id, report.provider_reference, report.mobile
    )
    if found is not None:
        await deps.early_receipts.discard(key)
    else:
        log.info(
            "receipt kept until its send report arrives",
            extra={"receipt_id": str(report.receipt_id)},
        )
    return found


async def apply_early_receipts(event: MessagesSent, deps: Deps) -> None:
    references = {o.provider_reference for o in event.outcomes if o.provider_reference}
    for reference in references:
        for key, kept in await deps.early_receipts.waiting(event.org_id, reference):
            await record_delivery(DeliveryReported.model_validate_json(kept), deps)
            # Removed only once applied: a crash in between applies it again, which changes
            # nothing the second time.
            await deps.early_receipts.discard(key)
