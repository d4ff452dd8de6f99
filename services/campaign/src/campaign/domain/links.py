"""Each booking/questionnaire recipient's own link: unguessable, signed, bound to one recipient
of one campaign, and expiring.

Token: ``<ODS>.<payload>.<signature>`` (base64url, no padding). The gateway reads the first
segment to know the organisation before it asks campaign. The payload is kept compact because
every character is paid for in SMS fragments: the expiry day (2 bytes, days since 1970-01-01)
and the recipient id (16 bytes). The signature is HMAC-SHA256 over the ODS code, the payload
and the campaign id (so a recipient's token can never be replayed against another campaign),
truncated to 128 bits as RFC 2104 §5 allows (half the hash, well above its 80-bit floor).

The expiry is a day, not an instant, so that the link in the review is the link that is sent
when staff send on the day they review; after sending it is fixed by the send date."""

import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

from .signed_tokens import ODS_CODE, RECIPIENT_ID, decode, encode, same_signature, signature

_EPOCH = date(1970, 1, 1)
_PAYLOAD = struct.Struct(">H16s")


def _segments(token: str) -> list[str] | None:
    parts = token.split(".")
    if len(parts) != 3 or not ODS_CODE.match(parts[0]):
        return None
    return parts


def expiry_day(sent_on: date, days: int) -> date:
    """The last day a link works: a link sent on 1 May valid for 7 days works until 8 May."""
    return sent_on + timedelta(days=days)


@dataclass(frozen=True)
class LinkClaim:
    """What a token says about itself; believe it only after ``LinkSigner.verify``."""

    org_id: str
    recipient_id: str
    expires_on: date

    @property
    def expires_at(self) -> datetime:
        """The end of the last valid day (UTC)."""
        return datetime.combine(self.expires_on + timedelta(days=1), time(), UTC)


class LinkSigner:
    def __init__(self, secret: bytes, base_url: str) -> None:
        if not secret:
            raise ValueError("The link secret must not be empty.")
        self._secret = secret
        self.base_url = base_url

    def token(self, org_id: str, campaign_id: UUID, recipient_id: str, expires_on: date) -> str:
        if not RECIPIENT_ID.match(recipient_id):
            raise ValueError("Recipient ids are 32 lower-case hex digits.")
        payload = encode(_PAYLOAD.pack((expires_on - _EPOCH).days, bytes.fromhex(recipient_id)))
        return f"{org_id}.{payload}.{self._sign(org_id, payload, campaign_id)}"

    def url(self, org_id: str, campaign_id: UUID, recipient_id: str, expires_on: date) -> str:
        return self.base_url + self.token(org_id, campaign_id, recipient_id, expires_on)

    def read(self, token: str) -> LinkClaim | None:
        """The token's claims if it is well formed (not yet verified), else None."""
        parts = _segments(token)
        if parts is None:
            return None
        raw = decode(parts[1])
        if raw is None or len(raw) != _PAYLOAD.size:
            return None
        days, recipient = _PAYLOAD.unpack(raw)
        return LinkClaim(parts[0], recipient.hex(), _EPOCH + timedelta(days=days))

    def verify(self, token: str, campaign_id: UUID) -> bool:
        parts = _segments(token)
        if parts is None or decode(parts[1]) is None:
            return False
        return same_signature(parts[2], self._sign(parts[0], parts[1], campaign_id))

    def _sign(self, org_id: str, payload: str, campaign_id: UUID) -> str:
        return signature(self._secret, f"{org_id}.{payload}".encode("ascii") + campaign_id.bytes)
