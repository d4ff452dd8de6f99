"""A patient's page: what happened to their message, in order, from what the API records."""

from dataclasses import dataclass
from datetime import datetime

from ..api_views import Activity, AuditEntry, PatientList, Recipient

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


#: What a patient did through their link, as the history says it.
LINK_EVENT = {
    "verified": "Confirmed their date of birth",
    "wrong_birth_date": "Entered a date of birth that did not match",
    "locked": "Their link was locked after too many wrong dates of birth",
    "booked": "Booked an appointment",
    "rebooked": "Changed their appointment",
    "cancelled": "Cancelled their appointment",
    "answered": "Sent their answers",
}


def history(
    recipient: Recipient,
    patient_list: PatientList | None,
    audit: list[AuditEntry],
    activity: Activity | None = None,
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
    for event in activity.events if activity is not None else []:
        if event.action in LINK_EVENT:
            entries.append(HistoryEntry(event.at, LINK_EVENT[event.action]))
    return sorted(entries, key=lambda e: e.at)
