"""What dispatch needs from the outside world. Adapters implement these; tests fake them."""

from typing import Protocol

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.sending import OutboundMessage


class SmsSender(Protocol):
    """Hands one SMS to the provider.

    Returns the provider's id for the message (``None`` if it gives none). Raises only
    ``domain.errors`` types: ``RetryableSendError`` when the provider certainly did not take it,
    ``PermanentSendError`` when it refused it, ``OutcomeUnknownError`` when it may have taken it."""

    async def send_sms(self, message: OutboundMessage, *, org_id: str) -> str | None: ...


class EmailSender(Protocol):
    """Hands one email to the relay; same contract as ``SmsSender``. Acceptance is final."""

    async def send_email(self, message: OutboundMessage, *, org_id: str) -> str | None: ...


class CampaignClaims(Protocol):
    """Campaign's atomic ``queued`` → ``sending`` move; the commit point before any send."""

    async def claim(self, request: ClaimMessages) -> list[str]:
        """The ids now ``sending`` that this caller may send. Raises if campaign did not answer
        or answered with an error (nothing may be sent then)."""
        ...


class EventPublisher(Protocol):
    """Publishes a message on its route and returns once the broker has confirmed it."""

    async def publish(self, route: Route, message: Message) -> None: ...


class RateLimiter(Protocol):
    """Waits until one more provider call fits in the rate (``aiolimiter.AsyncLimiter``)."""

    async def acquire(self, amount: float = 1) -> None: ...
