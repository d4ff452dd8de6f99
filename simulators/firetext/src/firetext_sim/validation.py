"""Firetext's sendsms parameters and the response codes it gives for bad ones.

The codes are from the community tables quoted in reference/firetext.md section 1; Firetext's own
table was not readable. The checks run in the order below, so the first problem wins.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import urlsplit


class SendCode(IntEnum):
    QUEUED = 0
    AUTHENTICATION = 1
    DESTINATION = 2
    FROM = 3
    MESSAGE = 5
    CREDIT = 7
    RECEIPT_URL = 8


DESCRIPTIONS = {
    SendCode.QUEUED: "SMS successfully queued",
    SendCode.AUTHENTICATION: "Authentication error",
    SendCode.DESTINATION: "Destination number(s) error",
    SendCode.FROM: "From error",
    SendCode.MESSAGE: "Message error",
    SendCode.CREDIT: "Insufficient credit",
    SendCode.RECEIPT_URL: "Invalid delivery receipt URL",
}

MAX_RECIPIENTS = 50
# Notify's SMS_CHAR_COUNT_LIMIT (153 x 6). Firetext's docs say messages may be "up to 612
# characters"; whether it rejects or truncates beyond that is unknown, so we accept up to 918.
MAX_MESSAGE_CHARS = 918
_SENDER = re.compile(r"^[A-Za-z0-9]{3,11}$")
_UK_MOBILE = re.compile(r"^(07\d{9}|447\d{9})$")


@dataclass(frozen=True)
class SendRequest:
    sender: str
    numbers: tuple[str, ...]
    message: str
    reference: str
    receipt: str


def parse_send(params: Mapping[str, str], api_key: str) -> SendRequest | SendCode:
    """The request if its parameters are acceptable, else the code Firetext answers with."""
    if params.get("apiKey") != api_key:
        return SendCode.AUTHENTICATION
    sender = params.get("from", "")
    if not _SENDER.match(sender):
        return SendCode.FROM
    numbers = tuple(number.strip() for number in params.get("to", "").split(","))
    # An empty ``to`` splits to [""], which fails the pattern like any other bad number.
    if len(numbers) > MAX_RECIPIENTS or not all(_UK_MOBILE.match(n) for n in numbers):
        return SendCode.DESTINATION
    message = params.get("message", "")
    if not message or len(message) > MAX_MESSAGE_CHARS:
        return SendCode.MESSAGE
    receipt = params.get("receipt", "")
    if receipt and not _is_http_url(receipt):
        return SendCode.RECEIPT_URL
    return SendRequest(sender, numbers, message, params.get("reference", ""), receipt)


def international_form(number: str) -> str:
    """``07700900123`` -> ``447700900123``: how Firetext reports the number in receipts."""
    return "44" + number[1:] if number.startswith("0") else number


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)
