"""Choosing the contact for a channel from PDS telecom (reference/pds.md §8.6); a mobile is
normalised by ``cohort_nhs.uk_mobile``."""

from collections.abc import Iterable
from datetime import date

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
