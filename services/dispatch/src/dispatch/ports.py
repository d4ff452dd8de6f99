"""What dispatch needs from the outside world. Adapters implement these; tests fake them."""

from typing import Protocol

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.envelope import Message
from cohort_contracts.routing import Route
from cohort_contracts.sending import OutboundMessage

from .domain.grouping import ProviderRequest


class SmsSender(Protocol):
    """Hands one request (one text, one or more numbers) to the SMS provider, through the
    account of organisation ``org_id``.

    Returns the provider's id for the request (``None`` if it gives none). Raises only
    ``domain.errors`` types: ``RetryableSendError`` when the provider certainly did not take it,
    ``PermanentSendError`` when it refused it (``ProviderConfigurationError`` when it refused
    *us*: every request would fail), ``OutcomeUnknownError`` when it may have taken it."""

    async def send_sms(self, request: ProviderRequest, *, org_id: str) -> str | None: ...


class EmailSender(Protocol):
    """Hands one email to the relay; same contract as ``SmsSender``. Acceptance is final."""

    async def send_email(self, message: OutboundMessage, *, org_id: str) -> str | None: ...


class CreditSource(Protocol):
    """The SMS provider's credit balance for an organisation's account."""

    async def credit(self, org_id: str) -> CreditBalance:
        """Raises ``CreditUnavailable`` if the provider cannot be asked or refuses to say."""
        ...


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
    """Waits until ``amount`` more messages fit in the rate (``cohort_platform.rate_limiter``'s
    shared ``TokenBucket`` for SMS, ``aiolimiter.AsyncLimiter`` for email)."""

    async def acquire(self, amount: float = 1) -> None: ...
