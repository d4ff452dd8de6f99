"""Checking the address a test message goes to: staff type it, so it is checked as ingest checks
patients' numbers from PDS (UK mobiles only, E.164 digits without '+', as Firetext wants)."""

import re

from cohort_contracts.vocabulary import Channel
from cohort_nhs import uk_mobile

from .errors import InvalidMessage

# Deliberately loose: one @, a dot in the domain, no spaces. The SMTP relay has the final word.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_test_address(channel: Channel, raw: str) -> str:
    """The normalised address, or an error naming the ``to`` field."""
    if channel == "sms":
        if (mobile := uk_mobile(raw.strip())) is None:
            raise InvalidMessage("Enter a UK mobile number, like 07700 900123.", field="to")
        return mobile
    address = raw.strip()
    if not EMAIL.match(address):
        raise InvalidMessage("Enter an email address, like name@example.nhs.uk.", field="to")
    return address
