"""The campaign overview and the campaign page: its steps, counts and what can be done now."""

from dataclasses import dataclass

from ..api_views import Campaign, Counts, PatientList, SendAgain

#: The counts shown on the campaign page, in order: (key, label, hint).
COUNT_ROWS = [
    ("recipients", "Patients", "Everyone this campaign messages"),
    ("queued", "Queued", "Waiting to go to the provider, or being sent to it now"),
    ("sent", "Sent", "With the provider, waiting for a delivery receipt"),
    ("delivered", "Delivered", "Reached the patient's phone or inbox"),
    ("failed", "Failed", "Could not be delivered: open the patient to see why"),
    ("cancelled", "Cancelled", "Not sent because sending was cancelled"),
    ("outcome_unknown", "Outcome unknown", "The provider has not said what happened yet"),
    ("saved_to_record", "Saved to GP record", "Delivered messages filed in the patient's record"),
]
PAGE_SIZE = 25
PATIENTS_PAGE_SIZE = 20
SEND_AGAIN_SUFFIX = ": send again"
NAME_MAX = 200


@dataclass(frozen=True)
class Step:
    title: str
    href: str | None
    status: str  # "Completed", "In progress", "Not yet started", "Cannot start yet"
    hint: str | None = None


def steps(campaign: Campaign, lists: list[PatientList]) -> list[Step]:
    """The three steps before sending, for a draft (the NHS task list)."""
    base = f"/campaigns/{campaign.id}"
    checking = any(p.status != "complete" for p in lists)
    patients = sum(p.succeeded for p in lists)
    if not lists:
        upload = Step("Upload a patient list", f"{base}/upload", "Not yet started")
    elif checking:
        upload = Step("Upload a patient list", f"{base}/upload", "In progress", "Checking with PDS")
    else:
        upload = Step(
            "Upload a patient list", f"{base}/upload", "Completed", f"{patients:,} patients found"
        )
    compose = Step(
        "Write the message",
        f"{base}/message",
        "Completed" if campaign.message else "Not yet started",
    )
    ready = bool(lists) and not checking and campaign.message is not None
    review = Step(
        "Review and send",
        f"{base}/review" if ready else None,
        "Not yet started" if ready else "Cannot start yet",
    )
    return [upload, compose, review]


def count_rows(counts: Counts) -> list[tuple[str, str, str, int]]:
    return [(key, label, hint, getattr(counts, key)) for key, label, hint in COUNT_ROWS]


def settled(counts: Counts) -> int:
    """Patients whose message has an outcome (delivered, failed or cancelled)."""
    return counts.delivered + counts.failed + counts.cancelled


def handed_over(counts: Counts) -> int:
    """Messages that reached the provider: with it, delivered, failed, or with no outcome."""
    return counts.sent + counts.delivered + counts.failed + counts.outcome_unknown


def can_cancel(campaign: Campaign) -> bool:
    # A scheduled or unapproved send is cancellable until it starts (nothing has gone yet).
    return campaign.status in ("sending", "paused", "scheduled", "awaiting_approval")


def not_started(campaign: Campaign) -> bool:
    """Sent, but waiting (for its time, or for approval): no message has gone yet, so
    cancelling cancels the campaign rather than stops sending."""
    return campaign.status in ("scheduled", "awaiting_approval")


def describe_type(campaign: Campaign) -> str:
    if campaign.booking is not None:
        return f"Booking: {campaign.booking.appointment_type_display}"
    if campaign.questionnaire is not None:
        return f"Questionnaire: {campaign.questionnaire.title}"
    return "Basic, patients can reply" if campaign.allow_replies else "Basic, information only"


def page_count(total: int, page_size: int) -> int:
    return max(1, -(-total // page_size))


def can_send_again(summary: SendAgain | None) -> bool:
    """Someone is left to send again to, and campaign sees nothing stopping it."""
    return summary is not None and summary.patients > 0 and summary.cannot_because is None


def send_again_name(source_name: str) -> str:
    """The new campaign's suggested name: the source's, marked as sending again, cut short
    where needed so that it fits the 200 characters a name may have."""
    return source_name[: NAME_MAX - len(SEND_AGAIN_SUFFIX)].rstrip() + SEND_AGAIN_SUFFIX
