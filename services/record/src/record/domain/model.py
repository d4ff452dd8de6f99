"""A record entry: one delivered message on its way into the patient's GP record.

Pure: states, which state each may come from, and the back-off schedule. The repository makes
every move a conditional write on these rules (``adapters/mongo_entries.py``)."""

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from cohort_contracts.record import RecordReason, RecordState
from cohort_contracts.vocabulary import Channel

#: Entry ids are derived from the campaign and recipient, so a repeated event names the same
#: entry (and the same MESH local id, ITK SenderReference and MessageHeader id).
ENTRY_IDS = uuid.UUID("0b6f8a8e-3c1d-4f53-9d1e-6a2f7c5e9b41")


def entry_id_for(campaign_id: UUID, recipient_id: str) -> UUID:
    return uuid.uuid5(ENTRY_IDS, f"{campaign_id}/{recipient_id}")


#: Which states an entry may move from, per new state. Anything else is a repeat or a report
#: that came too late, and changes nothing.
TRANSITIONS: dict[RecordState, frozenset[RecordState]] = {
    RecordState.SENDING: frozenset({RecordState.PENDING}),
    RecordState.SENT: frozenset({RecordState.SENDING}),
    # An acknowledgement can reach us for an entry still ``sending``: the process that sent it
    # died between MESH's answer and saving the MESH id.
    RecordState.ACKNOWLEDGED: frozenset({RecordState.SENDING, RecordState.SENT}),
    RecordState.FILED: frozenset({RecordState.SENDING, RecordState.SENT, RecordState.ACKNOWLEDGED}),
    RecordState.FAILED: frozenset(
        {RecordState.PENDING, RecordState.SENDING, RecordState.SENT, RecordState.ACKNOWLEDGED}
    ),
}
FINAL = frozenset({RecordState.FILED, RecordState.FAILED})
#: Waiting for the practice's system: the ack timeouts apply.
AWAITING_ACK = frozenset({RecordState.SENT, RecordState.ACKNOWLEDGED})


@dataclass(frozen=True)
class Patient:
    """What the document and its address need: patient data, kept only until the entry is
    final (then removed from the store)."""

    nhs_number: str
    family_name: str | None
    birth_date: date | None


@dataclass(frozen=True)
class Content:
    channel: Channel
    message_text: str
    subject: str | None
    delivered_at: datetime


@dataclass
class RecordEntry:
    id: UUID
    org_id: str
    campaign_id: UUID
    recipient_id: str
    correlation_id: UUID
    state: RecordState
    created_at: datetime
    updated_at: datetime
    patient: Patient | None
    content: Content | None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    #: Who holds the send claim and until when (a crashed holder's claim expires).
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None
    mesh_message_id: str | None = None
    mesh_to: str | None = None
    sent_at: datetime | None = None
    acknowledged_at: datetime | None = None
    reason_code: RecordReason | None = None
    #: A code a person can look up (``ITK 20009``, ``MESH 14``, ``EPL-153``): never patient data.
    detail: str | None = None
    #: Bumped by every change; the status publisher clears its mark only for the version it sent.
    version: int = 0

    @property
    def local_id(self) -> str:
        """``Mex-LocalID`` and ITK ``SenderReference``: opaque, the same on every attempt."""
        return str(self.id)


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off between send attempts, held in the store as ``next_attempt_at`` (record.md §5.8:
    1 m, 5 m, 15 m, 1 h, 3 h, with jitter), then the entry fails ``send_error``."""

    delays_s: tuple[float, ...] = (60, 300, 900, 3600, 10800)
    jitter: float = 0.2

    def next_attempt(self, attempts: int, now: datetime, rng: random.Random) -> datetime | None:
        """When attempt ``attempts + 1`` may run, after ``attempts`` failed; None: give up."""
        if attempts > len(self.delays_s):
            return None
        delay = self.delays_s[attempts - 1]
        spread = delay * self.jitter
        return now + timedelta(seconds=delay + rng.uniform(-spread, spread))


@dataclass(frozen=True)
class AckTimeouts:
    """No infrastructure ack this long after MESH accepted the document, or no business ack
    this long after the infrastructure ack: the entry fails ``no_ack`` and a person is told
    (GPCM-SD-094/095; record.md §5.10)."""

    infrastructure_s: float = 24 * 3600
    business_s: float = 48 * 3600


def status_message_id(entry: RecordEntry) -> UUID:
    """A state's report is named by the entry and the state, so a repeat is recognisable."""
    return uuid.uuid5(entry.id, f"status/{entry.state.value}")
