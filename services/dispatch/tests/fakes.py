"""Hand-written fakes of dispatch's ports; tests assert on their state."""

import asyncio
from collections import defaultdict
from collections.abc import Iterable

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.sending import OutboundMessage
from cohort_contracts.vocabulary import SendReason
from cohort_testing.publishers import RecordingPublisher
from dispatch.bootstrap import Senders
from dispatch.domain import reasons
from dispatch.domain.errors import CreditUnavailable, PermanentSendError, SendError
from dispatch.domain.grouping import ProviderRequest, single


class SimulatedCrash(Exception):
    """Stands for the process dying mid-send: not part of the sender's error taxonomy."""


class _FakeSender:
    """A provider in memory. ``failures`` are raised, in turn, by a request that includes the
    recipient; a request naming a number in ``refused_numbers`` is refused as a whole, as
    Firetext answers code 2."""

    def __init__(
        self,
        *,
        failures: dict[str, list[SendError]] | None = None,
        refused_numbers: Iterable[str] = (),
        crash_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        #: What the provider accepted, i.e. what each handset or inbox would receive.
        self.sent: list[OutboundMessage] = []
        #: Every request accepted, whole.
        self.requests: list[ProviderRequest] = []
        #: Every call, by recipient id (one per recipient of the request), failed ones too.
        self.attempts: list[str] = []
        #: The organisation each call was made for.
        self.orgs: list[str] = []
        self.max_in_flight = 0
        self._failures = {k: list(v) for k, v in (failures or {}).items()}
        self._refused_numbers = set(refused_numbers)
        self._crash_after = crash_after
        self._delay = delay
        self._in_flight = 0

    @property
    def sent_ids(self) -> list[str]:
        return [m.recipient_id for m in self.sent]

    async def _send(self, request: ProviderRequest, org_id: str) -> str:
        self.attempts.extend(m.recipient_id for m in request.messages)
        self.orgs.append(org_id)
        if self._crash_after is not None and len(self.sent) >= self._crash_after:
            self._crash_after = None  # the restarted process does not crash again
            raise SimulatedCrash
        for message in request.messages:
            pending = self._failures.get(message.recipient_id)
            if pending:
                raise pending.pop(0)
        if any(m.to in self._refused_numbers for m in request.messages):
            raise PermanentSendError(
                reasons.SMS_REJECTED_NUMBER, reason_code=SendReason.PROVIDER_REJECTED_NUMBER
            )
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._in_flight -= 1
        self.sent.extend(request.messages)
        self.requests.append(request)
        return f"ref-{len(self.requests)}"


class FakeSmsSender(_FakeSender):
    async def send_sms(self, request: ProviderRequest, *, org_id: str) -> str | None:
        return await self._send(request, org_id)


class FakeEmailSender(_FakeSender):
    async def send_email(self, message: OutboundMessage, *, org_id: str) -> str | None:
        return await self._send(single(message), org_id)


class FakeCreditSource:
    def __init__(self, credits: int = 1000, *, unavailable: str | None = None) -> None:
        self.credits = credits
        self.unavailable = unavailable
        self.asked: list[str] = []

    async def credit(self, org_id: str) -> CreditBalance:
        self.asked.append(org_id)
        if self.unavailable is not None:
            raise CreditUnavailable(self.unavailable)
        return CreditBalance(provider="fake", credits=self.credits)


class FakeCampaignClaims:
    """Campaign's claim in memory: ``queued`` → ``sending``, each recipient at most once."""

    def __init__(self, queued: Iterable[str] = (), *, fail_with: Exception | None = None) -> None:
        self.status: dict[str, str] = dict.fromkeys(queued, "queued")
        self.requests: list[ClaimMessages] = []
        self.claims_per_recipient: dict[str, int] = defaultdict(int)
        self.fail_with = fail_with

    def cancel(self, *recipient_ids: str) -> None:
        for rid in recipient_ids:
            self.status[rid] = "cancelled"

    async def claim(self, request: ClaimMessages) -> list[str]:
        self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        claimed = []
        for rid in request.recipient_ids:
            if self.status.get(rid) == "queued":
                self.status[rid] = "sending"
                self.claims_per_recipient[rid] += 1
                claimed.append(rid)
        return claimed


class FakeEventPublisher(RecordingPublisher[Route, Message]):
    """Dispatch's events, as published."""


class FakeRateLimiter:
    def __init__(self) -> None:
        #: The amount of each acquisition: one per provider call, of one token per recipient.
        self.amounts: list[float] = []

    @property
    def acquired(self) -> float:
        return sum(self.amounts)

    async def acquire(self, amount: float = 1) -> None:
        self.amounts.append(amount)


def fake_senders(sms: FakeSmsSender | None = None) -> Senders:
    """Every provider faked, for a running dispatch; pass ``sms`` to look at what it sent."""
    return Senders(
        sms=FakeSmsSender() if sms is None else sms,
        email=FakeEmailSender(),
        credit=FakeCreditSource(),
    )
