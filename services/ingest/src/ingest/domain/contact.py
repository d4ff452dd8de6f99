"""Choosing and normalising the contact for a channel from PDS telecom (reference/pds.md §8.6)."""

from collections.abc import Iterable
from datetime import date

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from .patient import ContactPoint

UK_COUNTRY_CODE = 44
# Ofcom reserves 07700 900000-900999 for TV and radio drama; phonenumbers' metadata calls these
# numbers invalid (checked against phonenumbers 9.0), but they are the UK's documented fictional
# mobile numbers and the simulators and tests use them.
_DRAMA_RANGE = range(447700900000, 447700901000)
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
    """E.164 digits without '+' (``447700900123``) for a UK mobile; None for anything else.

    Accepts national (07…), international (+44…, 0044…) and grouped forms. Crown Dependency
    mobiles (+44 7781 Guernsey, +44 7797 Jersey, +44 7624 Isle of Man) share the UK numbering plan
    and reach UK networks, so they count; phonenumbers labels their region GG/JE/IM, not GB."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except NumberParseException:
        return None
    if number.country_code != UK_COUNTRY_CODE:
        return None
    digits = f"{number.country_code}{number.national_number}"
    if int(digits) in _DRAMA_RANGE:
        return digits
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        return None
    return digits
