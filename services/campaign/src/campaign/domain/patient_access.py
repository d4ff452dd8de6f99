"""Who may see and change what behind a patient's link: the patient, once they have confirmed
their date of birth (a link can be forwarded, or read over a shoulder).

- Wrong answers are counted per link; the link locks after ``max_attempts`` of them, and
  after each wrong answer the next is refused for a while (``delay_s``, doubling each time),
  so that a date of birth cannot be found by trying.
- A right answer opens a *session*: an HMAC, under the link key, of the recipient and the
  session's end, valid ``session_minutes``. It is what every later request carries."""

import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from .errors import CampaignError, Forbidden
from .signed_tokens import decode, encode, same_signature, signature

_SESSION = struct.Struct(">I16s")


class WrongBirthDate(Forbidden):
    """The date of birth given is not the patient's (and is counted against the link)."""


class TooSoon(CampaignError):
    code = "too_many_requests"


class LinkLocked(CampaignError):
    code = "locked"


@dataclass(frozen=True)
class AccessPolicy:
    max_attempts: int = 5
    delay_s: float = 2.0
    session_minutes: int = 30

    def wait_s(self, failures: int, last_failure: datetime | None, now: datetime) -> float:
        """Seconds before another answer is accepted (0: now)."""
        if failures == 0 or last_failure is None or self.delay_s <= 0:
            return 0.0
        ready = last_failure + timedelta(seconds=self.delay_s * 2 ** (failures - 1))
        return max(0.0, (ready - now).total_seconds())


@dataclass(frozen=True)
class LinkAccess:
    """A link's record of answers (none yet: all zero)."""

    failures: int = 0
    last_failure_at: datetime | None = None
    locked_at: datetime | None = None
    verified_at: datetime | None = None


def check_answer(
    access: LinkAccess, policy: AccessPolicy, given: date, expected: date | None, now: datetime
) -> bool:
    """True for the right answer; False for a wrong one that may be counted. Raises
    ``LinkLocked`` or ``TooSoon`` when no answer may be given now."""
    if access.locked_at is not None or access.failures >= policy.max_attempts:
        raise LinkLocked("This link has been locked because the date of birth was wrong too often.")
    wait = policy.wait_s(access.failures, access.last_failure_at, now)
    if wait > 0:
        raise TooSoon(
            "Wait a few seconds before trying again.", retry_after_s=max(1, round(wait + 0.49))
        )
    # No date of birth on record (an old recipient): nobody can confirm it, so nobody gets in.
    return expected is not None and given == expected


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def issue(self, recipient_id: str, until: datetime) -> str:
        payload = encode(_SESSION.pack(int(until.timestamp()), bytes.fromhex(recipient_id)))
        return f"{payload}.{self._sign(payload)}"

    def valid(self, session: str, recipient_id: str, now: datetime) -> bool:
        payload, _, given = session.partition(".")
        raw = decode(payload)
        if raw is None or len(raw) != _SESSION.size:
            return False
        if not same_signature(given, self._sign(payload)):
            return False
        until, recipient = _SESSION.unpack(raw)
        return recipient.hex() == recipient_id and now < datetime.fromtimestamp(until, UTC)

    def _sign(self, payload: str) -> str:
        # Domain-separated from link signatures, which use the same key.
        return signature(self._secret, b"patient-session." + payload.encode("ascii"))
