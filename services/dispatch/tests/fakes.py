"""Hand-written fakes of dispatch's ports; tests assert on their state."""

import asyncio
from collections import defaultdict
from collections.abc import Iterable

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.sending import OutboundMessage
from dispatch.domain.errors import SendError


class SimulatedCrash(Exception):
    """Stands for the process dying mid-send: not part of the sender's error taxonomy."""


class _FakeSender:
    def __init__(
        self,
        *,
        failures: dict[str, list[SendError]] | None = None,
        crash_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        #: What the provider accepted, i.e. what each handset or inbox would receive.
        self.sent: list[OutboundMessage] = []
        #: Every call, by recipient id, including failed ones.
        self.attempts: list[str] = []
        self.max_in_flight = 0
        self._failures = {k: list(v) for k, v in (failures or {}).items()}
        self._crash_after = crash_after
        self._delay = delay
        self._in_flight = 0

    @property
    def sent_ids(self) -> list[str]:
        return [m.recipient_id for m in self.sent]

    async def _send(self, message: OutboundMessage) -> str:
        self.attempts.append(message.recipient_id)
        if self._crash_after is not None and len(self.sent) >= self._crash_after:
            self._crash_after = None  # the restarted process does not crash again
            raise SimulatedCrash
        pending = self._failures.get(message.recipient_id)
        if pending:
            raise pending.pop(0)
        self._in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self._in_flight)
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._in_flight -= 1
        self.sent.append(message)
        return f"ref-{len(self.sent)}"


class FakeSmsSender(_FakeSender):
    async def send_sms(self, message: OutboundMessage, *, org_id: str) -> str | None:
        return await self._send(message)


class FakeEmailSender(_FakeSender):
    async def send_email(self, message: OutboundMessage, *, org_id: str) -> str | None:
        return await self._send(message)


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


class FakeEventPublisher:
    def __init__(self, *, fail_times: int = 0) -> None:
        self.published: list[tuple[Route, Message]] = []
        self._fail_times = fail_times

    async def publish(self, route: Route, message: Message) -> None:
        if self._fail_times:
            self._fail_times -= 1
            raise ConnectionError("broker unavailable")
        self.published.append((route, message))


class FakeRateLimiter:
    def __init__(self) -> None:
        self.acquired = 0

    async def acquire(self, amount: float = 1) -> None:
        self.acquired += 1
