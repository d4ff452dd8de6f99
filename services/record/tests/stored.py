"""Test arrangements over the record store: an event as the service accepts it, and what
the store holds now for it (the entry read back, which a test expects to be there)."""

import uuid
from typing import Any

from cohort_contracts.record import RecordState
from cohort_contracts.sending import RecordEntryRequested
from record.domain.model import RecordEntry, entry_id_for
from record.handlers import entries
from record.handlers.deps import Deps

from .builders import record_entry_requested


async def stored_entry(deps: Deps, entry_id: uuid.UUID) -> RecordEntry:
    entry = await deps.entries.get(entry_id)
    assert entry is not None
    return entry


async def entry_for(deps: Deps, event: RecordEntryRequested) -> RecordEntry:
    return await stored_entry(deps, entry_id_for(event.campaign_id, event.recipient_id))


async def state_of(deps: Deps, event: RecordEntryRequested) -> RecordState | None:
    """The entry's state, or None where the store has none (a test of what is not saved)."""
    entry = await deps.entries.get(entry_id_for(event.campaign_id, event.recipient_id))
    return None if entry is None else entry.state


async def accepted(deps: Deps, **overrides: Any) -> RecordEntryRequested:
    """A fresh event (overridden as record_entry_requested takes) as the service accepts it."""
    event = record_entry_requested(**overrides)
    await entries.accept_entry(event, deps)
    return event
