"""Reporting each entry's state to campaign (``RecordStatusChanged``), from the store.

Every transition marks the entry's status unpublished in the same write; this publishes the
marked ones and clears the mark only if the entry has not moved again meanwhile. So a status is
never lost to a crash or a broker outage (it is published late, or twice, and campaign keeps
the highest-ranked one)."""

import asyncio

from cohort_contracts.record import RECORD_REASON_TEXT, RecordStatusChanged
from cohort_contracts.routing import RECORD_STATUS

from ..domain.model import RecordEntry, status_message_id
from .deps import Deps

WINDOW = 64


def status_event(entry: RecordEntry) -> RecordStatusChanged:
    return RecordStatusChanged(
        message_id=status_message_id(entry),
        correlation_id=entry.correlation_id,
        org_id=entry.org_id,
        campaign_id=entry.campaign_id,
        recipient_id=entry.recipient_id,
        entry_id=entry.id,
        state=entry.state,
        reason_code=entry.reason_code,
        reason=None if entry.reason_code is None else RECORD_REASON_TEXT[entry.reason_code],
        detail=entry.detail,
        changed_at=entry.updated_at,
    )


async def _publish(entry: RecordEntry, deps: Deps) -> None:
    await deps.publisher.publish(RECORD_STATUS, status_event(entry))
    await deps.entries.mark_published(entry.id, entry.version)


async def publish_statuses(deps: Deps, limit: int = 500) -> int:
    """Publish up to ``limit`` unreported states; returns how many. Raises if any failed (after
    the others were marked), so the caller backs off."""
    pending = await deps.entries.unpublished(limit)
    failures: list[BaseException] = []
    for start in range(0, len(pending), WINDOW):
        chunk = pending[start : start + WINDOW]
        results = await asyncio.gather(*(_publish(e, deps) for e in chunk), return_exceptions=True)
        failures += [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]
    return len(pending)
