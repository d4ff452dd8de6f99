"""A delivered message to save: one record entry per recipient, whatever repeats."""

import logging

from cohort_contracts.record import RecordReason, RecordState
from cohort_contracts.sending import RecordEntriesRequested, RecordEntryRequested

from ..domain.addressing import CannotAddress
from ..domain.model import Content, Patient, RecordEntry, entry_id_for
from .deps import Deps

log = logging.getLogger(__name__)


def new_entry(event: RecordEntryRequested, deps: Deps) -> RecordEntry:
    """The entry for ``event``: pending, or failed at once when it can never be saved."""
    now = deps.clock()
    patient = Patient(event.nhs_number, event.family_name, event.birth_date)
    entry = RecordEntry(
        id=entry_id_for(event.campaign_id, event.recipient_id),
        org_id=event.org_id,
        campaign_id=event.campaign_id,
        recipient_id=event.recipient_id,
        correlation_id=event.correlation_id,
        state=RecordState.PENDING,
        created_at=now,
        updated_at=now,
        patient=patient,
        content=Content(event.channel, event.message_text, event.subject, event.delivered_at),
        next_attempt_at=now,
    )
    practice = deps.practices.get(event.org_id)
    reason: RecordReason | None = None
    if practice is None:
        reason = RecordReason.PRACTICE_NOT_ENABLED
    else:
        try:
            entry.mesh_to = practice.route.mex_to(patient)
        except CannotAddress:
            reason = RecordReason.MISSING_DEMOGRAPHICS
    if reason is not None:
        # Nothing will be sent: keep no patient data.
        entry.state, entry.reason_code = RecordState.FAILED, reason
        entry.patient = entry.content = None
        entry.next_attempt_at = entry.mesh_to = None
    return entry


async def accept_entries(event: RecordEntriesRequested | RecordEntryRequested, deps: Deps) -> None:
    """Each entry of a batch is accepted on its own: a repeat (after a redelivery, or an entry
    republished in another batch) is recognised by the entry's id and changes nothing."""
    entries = event.entries if isinstance(event, RecordEntriesRequested) else [event]
    for entry in entries:
        await accept_entry(entry, deps)


async def accept_entry(event: RecordEntryRequested, deps: Deps) -> None:
    entry = new_entry(event, deps)
    if not await deps.entries.add(entry):
        log.info("record entry repeated", extra={"entry_id": str(entry.id)})
        return
    log.info(
        "record entry accepted",
        extra={
            "entry_id": str(entry.id),
            "campaign_id": str(entry.campaign_id),
            "recipient_id": entry.recipient_id,
            "org_id": entry.org_id,
            "state": entry.state.value,
            "reason_code": entry.reason_code,
        },
    )
    deps.statuses_waiting.set()
    if entry.state is RecordState.PENDING:
        deps.entries_waiting.set()
