"""Checking the address a test message goes to: staff type it, so it is checked as ingest checks
patients' numbers from PDS (UK mobiles only, E.164 digits without '+', as Firetext wants)."""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from cohort_contracts.vocabulary import Channel

from .errors import InvalidMessage

UK_COUNTRY_CODE = 44
# Ofcom's drama range (07700 900000-900999): phonenumbers calls these invalid, but they are the
# UK's documented fictional mobiles, used by the simulators and in training.
_DRAMA_RANGE = range(447700900000, 447700901000)
# Deliberately loose: one @, a dot in the domain, no spaces. The SMTP relay has the final word.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def uk_mobile(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw, "GB")
    except NumberParseException:
        return None
    if number.country_code != UK_COUNTRY_CODE:
        return None
    digits = f"{number.country_code}{number.national_number}"
    if int(digits) in _DRAMA_RANGE:
        return digits
    valid = phonenumbers.is_valid_number(number)
    if not valid or phonenumbers.number_type(number) != PhoneNumberType.MOBILE:
        return None
    return digits


def check_test_address(channel: Channel, raw: str) -> str:
    """The normalised address, or an error naming the ``to`` field."""
    if channel == "sms":
        if (mobile := uk_mobile(raw.strip())) is None:
            raise InvalidMessage("Enter a UK mobile number, like 07700 900123.", field="to")
        return mobile
    address = raw.strip()
    if not _EMAIL.match(address):
        raise InvalidMessage("Enter an email address, like name@example.nhs.uk.", field="to")
    return address
