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

import base64
import hmac
import re
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID

_EPOCH = date(1970, 1, 1)
_SIGNATURE_BYTES = 16
_PAYLOAD = struct.Struct(">H16s")
_ODS = re.compile(r"^[A-Z0-9]{3,10}$")
_HEX_ID = re.compile(r"^[0-9a-f]{32}$")
_B64 = re.compile(r"^[A-Za-z0-9_-]+$")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes | None:
    # Strict: the decoder would otherwise skip stray characters, so that many spellings of a
    # token would be accepted as the same one.
    if not _B64.match(text):
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return None


def _segments(token: str) -> list[str] | None:
    parts = token.split(".")
    if len(parts) != 3 or not _ODS.match(parts[0]):
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
        if not _HEX_ID.match(recipient_id):
            raise ValueError("Recipient ids are 32 lower-case hex digits.")
        payload = _b64(_PAYLOAD.pack((expires_on - _EPOCH).days, bytes.fromhex(recipient_id)))
        return f"{org_id}.{payload}.{_b64(self._sign(org_id, payload, campaign_id))}"

    def url(self, org_id: str, campaign_id: UUID, recipient_id: str, expires_on: date) -> str:
        return self.base_url + self.token(org_id, campaign_id, recipient_id, expires_on)

    def read(self, token: str) -> LinkClaim | None:
        """The token's claims if it is well formed (not yet verified), else None."""
        parts = _segments(token)
        if parts is None:
            return None
        raw = _unb64(parts[1])
        if raw is None or len(raw) != _PAYLOAD.size:
            return None
        days, recipient = _PAYLOAD.unpack(raw)
        return LinkClaim(parts[0], recipient.hex(), _EPOCH + timedelta(days=days))

    def verify(self, token: str, campaign_id: UUID) -> bool:
        parts = _segments(token)
        if parts is None or _unb64(parts[1]) is None:
            return False
        # Compared as text, so only the one canonical spelling of the signature is accepted
        # (base64 leaves spare bits that would otherwise let a token have several spellings).
        expected = _b64(self._sign(parts[0], parts[1], campaign_id))
        return hmac.compare_digest(parts[2].encode("ascii"), expected.encode("ascii"))

    def _sign(self, org_id: str, payload: str, campaign_id: UUID) -> bytes:
        message = f"{org_id}.{payload}".encode("ascii") + campaign_id.bytes
        # hmac.digest: the one-shot C implementation, several times faster than hmac.new for
        # the many links a review renders.
        return hmac.digest(self._secret, message, "sha256")[:_SIGNATURE_BYTES]
