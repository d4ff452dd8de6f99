"""Phone numbers as Firetext and campaign write them: international digits without ``+``
(``447700900123``). Campaign stores patients' mobiles in that form (ingest normalises them), and
Firetext reports receipts in it, so receipts and replies are matched on it."""

import re

_SEPARATORS = re.compile(r"[\s().\-]")
_INTERNATIONAL = re.compile(r"[1-9]\d{9,14}")


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
