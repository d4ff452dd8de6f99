"""A patient's page: what happened to their message, in order, from what the API records."""

from dataclasses import dataclass
from datetime import datetime

from ..api_client import AuditEntry, PatientList, Recipient

#: What each final or current status means, as the history's last line.
STATUS_EVENT = {
    "ready": "Ready to send",
    "queued": "Queued to send",
    "sending": "Being sent to the provider",
    "sent": "Sent: accepted by the provider, waiting for a delivery receipt",
    "delivered": "Delivered",
    "failed": "Failed",
    "cancelled": "Cancelled: sending was stopped before this message went out",
    "outcome_unknown": "Outcome unknown: the provider has not confirmed what happened",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    what: str


def history(
    recipient: Recipient, patient_list: PatientList | None, audit: list[AuditEntry]
) -> list[HistoryEntry]:
    """Oldest first: found in PDS (the list's upload), the campaign sent, the message's current
    status (when it last changed), and the patient opening their link or replying."""
    entries: list[HistoryEntry] = []
    if patient_list is not None:
        entries.append(
            HistoryEntry(
                patient_list.created_at,
                f"Uploaded in {patient_list.filename} (row {recipient.row_number}) and "
                "found in PDS",
            )
        )
    sent = next((e for e in audit if e.action == "sent"), None)
    if sent is not None and recipient.status != "ready":
        entries.append(HistoryEntry(sent.at, "Campaign sent"))
    entries.append(HistoryEntry(recipient.updated_at, STATUS_EVENT.get(recipient.status, "")))
    if recipient.link_opened_at is not None:
        entries.append(HistoryEntry(recipient.link_opened_at, "Opened their link"))
    if recipient.replied_at is not None:
        entries.append(HistoryEntry(recipient.replied_at, "Replied"))
    return sorted(entries, key=lambda e: e.at)


def nhs_number(value: str) -> str:
    """NHS style: 943 476 5919."""
    return f"{value[:3]} {value[3:6]} {value[6:]}" if len(value) == 10 else value


def contact(value: str) -> str:
    """A UK mobile as people write it (447700900123 -> 07700 900123); an email as it is."""
    if value.startswith("44") and len(value) == 12 and value.isdigit():
        return f"0{value[2:6]} {value[6:]}"
    return value
