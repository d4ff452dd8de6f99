"""Choosing and normalising the contact for a channel from PDS telecom (reference/pds.md §8.6)."""

from collections.abc import Iterable
from datetime import date

from cohort_nhs import uk_mobile

from .patient import ContactPoint

# Without a use, an email is still the patient's; a work address is the last resort.
_EMAIL_USE_RANK = {"home": 0, None: 1, "temp": 2, "mobile": 2, "work": 3}


def current(telecom: Iterable[ContactPoint], system: str, today: date) -> list[ContactPoint]:
    return [c for c in telecom if c.system == system and c.use != "old" and c.is_current(today)]


def select_mobile(telecom: Iterable[ContactPoint], today: date) -> ContactPoint | None:
    """The current ``phone``/``mobile`` entry; PDS holds at most one per system and use."""
    return next((c for c in current(telecom, "phone", today) if c.use == "mobile"), None)


def select_email(telecom: Iterable[ContactPoint], today: date) -> str | None:
    emails = [c for c in current(telecom, "email", today) if "@" in c.value]
    emails.sort(key=lambda c: _EMAIL_USE_RANK.get(c.use, 2))
    return emails[0].value if emails else None


def normalise_uk_mobile(raw: str) -> str | None:
    """E.164 digits without '+' (``447700900123``) for a UK mobile; None for anything else."""
    return uk_mobile(raw)
