"""One provider request, with its retries, and what it means for each recipient in it.

Two things can stop a request short of the provider: a ``Blocker`` that an earlier request of
the batch tripped (the provider refused *us*: wrong key, sender, receipt URL, no credit), which
returns its recipients unsent; and the retry budget for failures that prove the provider did not
take it. A request that may have reached the provider is never made again."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import Counter as MetricCounter

from cohort_contracts.sending import OutboundMessage, SendingBlocked, SendMessages, SendOutcome
from cohort_contracts.vocabulary import SendReason

from ..domain.errors import (
    OutcomeUnknownError,
    PermanentSendError,
    ProviderConfigurationError,
    RetryableSendError,
    SendError,
)
from ..domain.grouping import ProviderRequest, single
from ..domain.retry_policy import RetryPolicy
from ..ports import EmailSender, RateLimiter, SmsSender

log = logging.getLogger("dispatch.sending")

PROVIDER_REQUESTS = MetricCounter(
    "dispatch_provider_requests",
    "Provider requests attempted, by channel and kind (single recipient or a group)",
    ["channel", "kind"],
)

#: Refusals that, for a request to several numbers, may concern only one of them.
_NUMBER_REFUSALS = frozenset({SendReason.PROVIDER_REJECTED_NUMBER, SendReason.INVALID_NUMBER})


class Blocker:
    """Shared by the sends of one batch: the first refusal of *us* stops every send after it."""

    def __init__(self) -> None:
        self.error: ProviderConfigurationError | None = None

    def block(self, error: ProviderConfigurationError) -> None:
        if self.error is None:
            self.error = error

    def as_event(self) -> SendingBlocked | None:
        if self.error is None:
            return None
        assert self.error.reason_code is not None
        return SendingBlocked(reason_code=self.error.reason_code, reason=self.error.reason)


class _Blocked(Exception):
    """Raised instead of calling the provider once the batch is blocked."""


Call = Callable[[ProviderRequest], Awaitable[str | None]]


@dataclass(frozen=True)
class Channel:
    """How one batch's requests reach its provider."""

    name: str
    call: Call
    limiter: RateLimiter
    in_flight: asyncio.Semaphore
    retry: RetryPolicy


def sms_call(sms: SmsSender, org_id: str) -> Call:
    async def call(request: ProviderRequest) -> str | None:
        return await sms.send_sms(request, org_id=org_id)

    return call


def email_call(email: EmailSender, org_id: str) -> Call:
    async def call(request: ProviderRequest) -> str | None:
        (message,) = request.messages  # email is never grouped
        return await email.send_email(message, org_id=org_id)

    return call


async def deliver(
    cmd: SendMessages, request: ProviderRequest, channel: Channel, blocker: Blocker
) -> list[SendOutcome]:
    """One outcome per recipient of ``request``, in its order."""
    try:
        provider_id = await _with_retries(request, channel, blocker)
    except _Blocked:
        return _returned(request.messages, blocker)
    except ProviderConfigurationError as exc:
        blocker.block(exc)
        log.error(
            "provider refused our configuration; sending blocked",
            extra={
                "campaign_id": str(cmd.campaign_id),
                "reference": request.reference,
                "channel": channel.name,
                "provider_code": exc.provider_code,
                "reason_code": exc.reason_code,
            },
        )
        return _returned(request.messages, blocker)
    except PermanentSendError as exc:
        if request.is_group and exc.reason_code in _NUMBER_REFUSALS:
            # Firetext answers one code for the whole request and queued none of it; code 2
            # ("destination number(s) error") only says that at least one number is bad, not
            # which. Failing the whole group would fail patients whose numbers are fine, so its
            # members are sent one by one and only the bad number fails. Safe: nothing of the
            # group was queued, and each single request has its own reference.
            log.info(
                "group refused for a number; sending its members one by one",
                extra={"reference": request.reference, "recipients": len(request.messages)},
            )
            return await _one_by_one(cmd, request, channel, blocker)
        return [_failed(m, exc) for m in request.messages]
    except OutcomeUnknownError as exc:
        reference = request.reference if channel.name == "sms" else None
        return [
            SendOutcome(
                recipient_id=m.recipient_id,
                status="outcome_unknown",
                reason=exc.reason,
                provider_reference=reference,
            )
            for m in request.messages
        ]
    except RetryableSendError as exc:
        log.warning(
            "provider unavailable after retries",
            extra={"campaign_id": str(cmd.campaign_id), "reference": request.reference},
        )
        return [_failed(m, exc) for m in request.messages]
    # An SMS is only with the provider (a receipt follows, carrying the request's reference);
    # email accepted by the relay is final, and its Message-ID is the only reference there is.
    if channel.name == "sms":
        return [
            SendOutcome(
                recipient_id=m.recipient_id, status="sent", provider_reference=request.reference
            )
            for m in request.messages
        ]
    return [
        SendOutcome(recipient_id=m.recipient_id, status="delivered", provider_reference=provider_id)
        for m in request.messages
    ]


async def _with_retries(request: ProviderRequest, channel: Channel, blocker: Blocker) -> str | None:
    policy = channel.retry
    # Only failures that prove the provider did not take the request are tried again.
    retrying = policy.retrying(RetryableSendError)
    kind = "group" if request.is_group else "single"

    async def attempt() -> str | None:
        async with channel.in_flight:
            # The provider's rate counts messages: a request to 50 numbers is 50 of them.
            await channel.limiter.acquire(len(request.messages))
            # Checked last, after every wait: a request that has not left yet never leaves
            # once another request of the batch has been refused for our configuration.
            if blocker.error is not None:
                raise _Blocked
            PROVIDER_REQUESTS.labels(channel.name, kind).inc()
            return await channel.call(request)

    return await retrying(attempt)


async def _one_by_one(
    cmd: SendMessages, request: ProviderRequest, channel: Channel, blocker: Blocker
) -> list[SendOutcome]:
    async with asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(deliver(cmd, single(m), channel, blocker)) for m in request.messages
        ]
    return [outcome for task in tasks for outcome in task.result()]


def _returned(messages: tuple[OutboundMessage, ...], blocker: Blocker) -> list[SendOutcome]:
    """Claimed, certainly not sent: campaign puts them back to ``ready`` for the resume."""
    error = blocker.error
    assert error is not None
    return [
        SendOutcome(
            recipient_id=m.recipient_id,
            status="returned",
            reason_code=error.reason_code,
            reason=error.reason,
        )
        for m in messages
    ]


def _failed(message: OutboundMessage, exc: SendError) -> SendOutcome:
    return SendOutcome(
        recipient_id=message.recipient_id,
        status="failed",
        reason_code=exc.reason_code,
        reason=exc.reason,
    )
