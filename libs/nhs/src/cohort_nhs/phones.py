"""Phone numbers as Firetext and Cohort write them: international digits without ``+``
(``447700900123``). ``uk_mobile`` decides what may be texted (patients' numbers from PDS, the
number staff test-send to); ``international_digits`` only normalises, so that numbers Firetext
reports back (receipts, replies) are matched with the ones stored; ``national_mobile`` writes a
stored UK mobile back as people in the UK write it."""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

UK_COUNTRY_CODE = 44
# Ofcom reserves 07700 900000-900999 for TV and radio drama; phonenumbers' metadata calls these
# numbers invalid (checked against phonenumbers 9.0), but they are the UK's documented fictional
# mobile numbers and the simulators and tests use them.
_DRAMA_RANGE = range(447700900000, 447700901000)
_SEPARATORS = re.compile(r"[\s().\-]")
_INTERNATIONAL = re.compile(r"[1-9]\d{9,14}")


def uk_mobile(raw: str) -> str | None:
    """E.164 digits without '+' for a UK mobile; None for anything else.

    Accepts national (07…), international (+44…, 0044…) and grouped forms. Crown Dependency
    mobiles (+44 7781 Guernsey, +44 7797 Jersey, +44 7624 Isle of Man) share the UK numbering
    plan and reach UK networks, so they count; phonenumbers labels their region GG/JE/IM."""
    try:
        number = phonenumbers.parse(raw.strip(), "GB")
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


def international_digits(number: str) -> str | None:
    """``07700 900123``, ``+44 7700 900123``, ``0044 7700 900123``, ``+44 (0)7700 900123`` and
    ``447700900123`` all give ``447700900123``; another country's number gives its digits
    without ``+`` or ``00``. ``None`` if it is not a phone number at all."""
    text = _SEPARATORS.sub("", number)
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    elif text.startswith("0"):
        digits = "44" + text[1:]  # a UK national number
    else:
        digits = text
    if digits.startswith("440"):
        digits = "44" + digits[3:]  # "+44 (0)7700…": the national trunk 0 written after +44
    return digits if _INTERNATIONAL.fullmatch(digits) else None


def national_mobile(digits: str) -> str | None:
    """``447700900123`` as it is written in the UK, ``07700 900123`` (the grouping NHS.UK
    uses); None for anything that is not a UK mobile as ``uk_mobile`` stores it."""
    if len(digits) == 12 and digits.startswith("447") and digits.isdigit():
        return f"0{digits[2:6]} {digits[6:]}"
    return None
