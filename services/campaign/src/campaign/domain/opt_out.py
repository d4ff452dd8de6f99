"""Patients opting out of an organisation's messages: the reply words that mean "stop", the key
a number or address is matched by, and the signed token of an email's unsubscribe link.

Keywords follow the UK mobile industry's (and Firetext's) convention: the whole reply, in any
case and with surrounding spaces or a trailing full stop, is one of the words below. A reply
that merely contains one ("please cancel my appointment") is a reply, not an opt-out."""

import re
from dataclasses import dataclass
from datetime import datetime

from .signed_tokens import ODS_CODE, RECIPIENT_ID, decode, encode, same_signature, signature

OPT_OUT_WORDS = frozenset(
    {"STOP", "STOP ALL", "STOPALL", "UNSUBSCRIBE", "END", "CANCEL", "OPT OUT", "OPTOUT", "QUIT"}
)
_SPACES = re.compile(r"\s+")
_TRAILING = re.compile(r"[.!]+$")


def is_opt_out(reply: str) -> bool:
    words = _TRAILING.sub("", _SPACES.sub(" ", reply.strip()).upper()).strip()
    return words in OPT_OUT_WORDS


def contact_key(contact: str) -> str:
    """How opt-outs are matched: numbers as stored (E.164 digits), addresses without case."""
    contact = contact.strip()
    return contact.lower() if "@" in contact else contact


#: Where an opt-out came from (kept with it, and in its history).
SOURCE_REPLY = "reply"
SOURCE_EMAIL_LINK = "email_link"
SOURCE_STAFF = "staff"


@dataclass(frozen=True)
class Suppression:
    """One number or address of an organisation that must not be messaged while ``active``."""

    id: str
    org_id: str
    contact: str
    source: str
    active: bool
    created_at: datetime
    updated_at: datetime
    #: Who last changed it: a user id, or ``patient`` for a reply or an unsubscribe link.
    changed_by: str
    #: The one confirmation message has been handed to dispatch (for replies).
    confirmed: bool = False


def confirmation_text(practice_name: str, channel: str) -> str:
    what = "text messages" if channel == "sms" else "emails"
    return (
        f"You will no longer get {what} like this from {practice_name}. If this was a "
        "mistake, contact the practice."
    )


def with_unsubscribe_link(body: str, url: str) -> str:
    """An email's body with the link that does what its ``List-Unsubscribe`` header does."""
    return f"{body.rstrip()}\n\nTo stop getting emails like this from your GP practice: {url}"


# -- the email unsubscribe link ----------------------------------------------------------------
#: Separates these signatures from booking links' (same key, different purpose).
_PURPOSE = b"unsubscribe:"


@dataclass(frozen=True)
class UnsubscribeClaim:
    org_id: str
    recipient_id: str


class UnsubscribeSigner:
    """``<ODS>.<recipient id>.<signature>``: HMAC-SHA256 (128 bits) over the purpose, the ODS
    code and the recipient id, so it cannot be guessed, altered or made from a booking link.
    It does not expire: an email may be read and acted on long after it was sent."""

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("The unsubscribe secret must not be empty.")
        self._secret = secret

    def token(self, org_id: str, recipient_id: str) -> str:
        if not RECIPIENT_ID.match(recipient_id) or not ODS_CODE.match(org_id):
            raise ValueError("An ODS code and a 32-hex-digit recipient id are needed.")
        payload = encode(bytes.fromhex(recipient_id))
        return f"{org_id}.{payload}.{self._sign(org_id, payload)}"

    def verify(self, token: str) -> UnsubscribeClaim | None:
        parts = token.split(".")
        if len(parts) != 3 or not ODS_CODE.match(parts[0]):
            return None
        org_id, payload, given = parts
        raw = decode(payload)
        if raw is None or decode(given) is None:
            return None
        if not same_signature(given, self._sign(org_id, payload)):
            return None
        return UnsubscribeClaim(org_id, raw.hex()) if len(raw) == 16 else None

    def _sign(self, org_id: str, payload: str) -> str:
        return signature(self._secret, _PURPOSE + f"{org_id}.{payload}".encode("ascii"))
