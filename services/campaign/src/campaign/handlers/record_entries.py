"""The save-to-record outbox: a delivered message's ``RecordEntryRequested``, published once.

Delivery marks the recipient ``record_entry: pending`` in the same atomic write that records the
delivery, so the entry can never be lost; this drains those marks. Exactly one drainer runs per
deployment (it holds the ``outbox`` lease), and an entry is marked published only after the
broker confirmed it. So in a healthy run each entry is published once; only a crash or a failed
confirm between publishing and marking repeats one, with the same message id (derived from the
recipient), which a consumer recognises."""

import asyncio
import uuid

from cohort_contracts.routing import RECORD_ENTRIES
from cohort_contracts.sending import (
    MAX_RECORD_ENTRIES_PER_BATCH,
    RecordEntriesRequested,
    RecordEntryRequested,
)

from ..domain.model import Recipient
from .deps import Deps

#: Record-entry events are named by their recipient, so a republished one is recognisable.
RECORD_ENTRY_IDS = uuid.UUID("6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e10")
OUTBOX_LEASE = "outbox"
#: Batch messages awaiting their confirm at once (they pipeline on one channel).
WINDOW = 8


class OutboxStalled(Exception):
    """Some entries could not be published (the broker refused or did not confirm them)."""


def record_entry(r: Recipient) -> RecordEntryRequested:
    return RecordEntryRequested(
        message_id=uuid.uuid5(RECORD_ENTRY_IDS, r.id),
        correlation_id=r.campaign_id,
        org_id=r.org_id,
        nhs_number=r.nhs_number,
        campaign_id=r.campaign_id,
        recipient_id=r.id,
        channel=r.channel,
        message_text=r.body or "",
        delivered_at=r.updated_at,
        family_name=r.family_name or None,
        birth_date=r.birth_date,
        subject=r.subject,
    )


async def _publish(deps: Deps, batch: list[Recipient]) -> list[str]:
    ids = sorted(r.id for r in batch)
    await deps.publisher.publish(
        RECORD_ENTRIES,
        RecordEntriesRequested(
            # The same entries republished after a failed confirm carry the same id.
            message_id=uuid.uuid5(RECORD_ENTRY_IDS, ",".join(ids)),
            correlation_id=batch[0].campaign_id,
            org_id=batch[0].org_id,
            entries=[record_entry(r) for r in batch],
        ),
    )
    return ids


def _batches(pending: list[Recipient]) -> list[list[Recipient]]:
    """One organisation's entries per message, at most ``MAX_RECORD_ENTRIES_PER_BATCH``."""
    by_org: dict[str, list[Recipient]] = {}
    for r in pending:
        by_org.setdefault(r.org_id, []).append(r)
    size = MAX_RECORD_ENTRIES_PER_BATCH
    return [rs[i : i + size] for rs in by_org.values() for i in range(0, len(rs), size)]


async def drain_record_entries(deps: Deps, limit: int = 500) -> int:
    """Publish up to ``limit`` pending entries, in batches; returns how many were published.
    Raises ``OutboxStalled`` (after marking the ones that did go) if any could not be
    published, so the caller backs off instead of hammering a full or unavailable queue."""
    pending = await deps.recipients.pending_record_entries(limit)
    batches = _batches(pending)
    published: list[str] = []
    failures = 0
    for start in range(0, len(batches), WINDOW):
        chunk = batches[start : start + WINDOW]
        results = await asyncio.gather(*(_publish(deps, b) for b in chunk), return_exceptions=True)
        for batch, result in zip(chunk, results, strict=True):
            if isinstance(result, list):
                published += result
            else:
                failures += len(batch)
    if published:
        await deps.recipients.record_entries_published(published)
    if failures:
        raise OutboxStalled(f"{failures} of {len(pending)} record entries were not published")
    return len(published)
