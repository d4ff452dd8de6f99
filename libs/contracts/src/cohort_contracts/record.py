"""Save to record: the record service → campaign (``RecordStatusChanged``).

The record service puts each delivered message into the patient's GP record as a GP Connect
Send Document over NHS MESH (DESIGN §11, reference/record.md) and reports every step of each
entry, so campaign can show staff, per recipient, "Saving to GP record…", "Saved to GP record"
or "Not saved: <reason>"."""

from enum import StrEnum
from typing import Literal
from uuid import UUID

from .envelope import Message, UtcDateTime


class RecordState(StrEnum):
    """A record entry's journey. ``sent``: MESH accepted the document; ``acknowledged``: the
    practice system's infrastructure acknowledgement (ITK 20013) came; ``filed``: its business
    acknowledgement (30001, or 30004) came: the document is matched to the patient and in the
    practice's workflow for filing. ``failed`` carries a ``RecordReason``."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    FILED = "filed"
    FAILED = "failed"


#: The order of the states: a report of a lower rank than what is known is out of date.
#: ``filed`` and ``failed`` are both final.
RECORD_STATE_RANK: dict[RecordState, int] = {
    RecordState.PENDING: 0,
    RecordState.SENDING: 1,
    RecordState.SENT: 2,
    RecordState.ACKNOWLEDGED: 3,
    RecordState.FILED: 4,
    RecordState.FAILED: 4,
}


class RecordReason(StrEnum):
    """Why a message was not saved to the patient's record."""

    PRACTICE_NOT_ENABLED = "practice_not_enabled"
    MISSING_DEMOGRAPHICS = "missing_demographics"
    PATIENT_NOT_FOUND = "patient_not_found"
    NO_GP_MAILBOX = "no_gp_mailbox"
    NOT_REGISTERED_HERE = "not_registered_here"
    REJECTED = "rejected"
    NOT_COLLECTED = "not_collected"
    NO_ACK = "no_ack"
    SEND_ERROR = "send_error"


RECORD_REASON_TEXT: dict[RecordReason, str] = {
    RecordReason.PRACTICE_NOT_ENABLED: "Not saved: practice not set up for saving to record",
    RecordReason.MISSING_DEMOGRAPHICS: "Not saved: PDS gave no full date of birth or surname, "
    "which the NHS needs to find the patient's practice",
    RecordReason.PATIENT_NOT_FOUND: "Not saved: the NHS could not match the patient's details "
    "to a registered practice",
    RecordReason.NO_GP_MAILBOX: "Not saved: the patient's practice cannot receive documents "
    "over NHS MESH",
    RecordReason.NOT_REGISTERED_HERE: "Not saved: the practice's system says the patient is "
    "not registered there",
    RecordReason.REJECTED: "Not saved: the practice's system rejected the document",
    RecordReason.NOT_COLLECTED: "Not saved: the practice never collected the document from "
    "NHS MESH",
    RecordReason.NO_ACK: "Not saved: the practice's system never acknowledged the document",
    RecordReason.SEND_ERROR: "Not saved: the document could not be sent to NHS MESH",
}

#: What staff see for an entry that is on its way, and for one that arrived.
SAVING_TEXT = "Saving to GP record…"
SAVED_TEXT = "Saved to GP record"

RecordStatus = Literal["saving", "saved", "not_saved"]


def record_status(state: RecordState) -> RecordStatus:
    if state is RecordState.FILED:
        return "saved"
    if state is RecordState.FAILED:
        return "not_saved"
    return "saving"


class RecordStatusChanged(Message):
    """Event: a record entry moved to ``state``. Published after the record service saved the
    move, so a report can repeat (a crash between saving and publishing) or arrive out of order
    (two instances): campaign keeps the one with the highest ``RECORD_STATE_RANK``, and the first
    final one. ``detail`` is a code a person can look up (e.g. ``ITK 20009``, ``MESH 14``,
    ``EPL-153``), never patient data."""

    kind: Literal["RecordStatusChanged"] = "RecordStatusChanged"
    campaign_id: UUID
    recipient_id: str
    entry_id: UUID
    state: RecordState
    reason_code: RecordReason | None = None
    reason: str | None = None
    detail: str | None = None
    changed_at: UtcDateTime
