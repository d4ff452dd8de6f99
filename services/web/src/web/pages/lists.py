"""The upload status screen: progress, time left, and the unsuccessful rows by reason; which
list may be removed."""

from dataclasses import dataclass
from datetime import datetime

from ..api_views import Campaign, PatientList


@dataclass(frozen=True)
class ListProgress:
    done: bool
    percent: int
    time_left: str | None


def progress(patient_list: PatientList, now: datetime) -> ListProgress:
    total, processed = patient_list.total_rows, patient_list.processed_rows
    done = patient_list.status == "complete"
    percent = 100 if done or total == 0 else min(99, processed * 100 // total)
    return ListProgress(done, percent, None if done else time_left(patient_list, now))


def time_left(patient_list: PatientList, now: datetime) -> str:
    """An estimate from the rate measured since the upload: rows checked per second so far."""
    elapsed = (now - patient_list.created_at).total_seconds()
    processed = patient_list.processed_rows
    if processed == 0 or elapsed <= 0:
        return "Working out how long this will take"
    remaining = (patient_list.total_rows - processed) / (processed / elapsed)
    if remaining < 10:
        return "A few seconds left"
    if remaining < 60:
        return "Less than a minute left"
    return f"About {duration(remaining)} left"


def duration(seconds: float) -> str:
    """A minute or more, in minutes (and hours)."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    hours, minutes = divmod(minutes, 60)
    text = "1 hour" if hours == 1 else f"{hours} hours"
    return text + (f" {minutes} minutes" if minutes else "")


def removable(campaign: Campaign, lists: list[PatientList]) -> PatientList | None:
    """The list that may be removed: a draft's most recent (lists come oldest first). Campaign
    removes no other, so that no earlier list's patient was counted a duplicate of one of its."""
    if campaign.status != "draft" or not lists:
        return None
    return lists[-1]
