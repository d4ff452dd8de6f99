"""The values every service reads the same way (one definition each, tested against shared test
vectors in ``vectors/`` that the simulators' own independent implementations run too)."""

from .nhs_number import check_digit, is_valid_nhs_number
from .phones import international_digits, national_mobile, uk_mobile
from .sms import (
    MAX_SMS_CHARACTERS,
    SmsSize,
    is_gsm,
    non_gsm_characters,
    sms_fragments,
    sms_length,
    sms_size,
    utf16_units,
)

__all__ = [
    "MAX_SMS_CHARACTERS",
    "SmsSize",
    "check_digit",
    "international_digits",
    "is_gsm",
    "is_valid_nhs_number",
    "national_mobile",
    "non_gsm_characters",
    "sms_fragments",
    "sms_length",
    "sms_size",
    "uk_mobile",
    "utf16_units",
]
