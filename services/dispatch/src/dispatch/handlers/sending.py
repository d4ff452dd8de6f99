"""``SendMessages``: claim, send, report, chunk by chunk.

The order within a chunk is the safety argument for "no patient messaged twice": nothing is
sent before campaign has moved it ``queued`` → ``sending`` for us, and campaign hands each
recipient to exactly one claim. A redelivered batch (after a crash, a failed publish or a lost
ack) therefore finds its already-claimed recipients unclaimable and reports them
``not_claimed``; only what was never claimed can go out."""

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from prometheus_client import Counter as MetricCounter
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.routing import MESSAGES_SENT
from cohort_contracts.sending import MessagesSent, OutboundMessage, SendMessages, SendOutcome

from ..domain import reasons
from ..domain.errors import (
    OutcomeUnknownError,
    ProviderConfigurationError,
    RetryableSendError,
    SendError,
)
from ..ports import CampaignClaims, EmailSender, EventPublisher, RateLimiter, SmsSender

log = logging.getLogger("dispatch.sending")

SEND_OUTCOMES = MetricCounter(
    "dispatch_send_outcomes", "Messages by channel and send outcome", ["channel", "status"]
)

Send = Callable[[OutboundMessage], Awaitable[str | None]]


@dataclass(frozen=True)
class SendPolicy:
    chunk_size: int = 25
    #: Attempts per message for failures that prove the provider did not take it.
    attempts: int = 4
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 8.0


@dataclass(frozen=True)
class SendingDeps:
    claims: CampaignClaims
    sms: SmsSender
    email: EmailSender
    events: EventPublisher
    sms_limiter: RateLimiter
    email_limiter: RateLimiter
    #: Provider calls in flight in this process, across all batches.
    in_flight: asyncio.Semaphore
    policy: SendPolicy


async def send_messages(cmd: SendMessages, deps: SendingDeps) -> None:
    taken: set[str] = set()
    for chunk in _chunks(cmd.messages, deps.policy.chunk_size):
        outcomes = await _send_chunk(cmd, chunk, deps, taken)
        if not outcomes:
            continue
        # If this publish fails we raise and the batch is redelivered. Campaign already holds
        # these recipients as `sending`, so the claim then returns none of them: they are
        # reported `not_claimed` and campaign settles them from the provider's receipts.
        await deps.events.publish(
            MESSAGES_SENT,
            MessagesSent(
                correlation_id=cmd.correlation_id,
                org_id=cmd.org_id,
                campaign_id=cmd.campaign_id,
                batch_id=cmd.batch_id,
                outcomes=outcomes,
            ),
        )
        _record(cmd, outcomes)


async def _send_chunk(
    cmd: SendMessages, chunk: Sequence[OutboundMessage], deps: SendingDeps, taken: set[str]
) -> list[SendOutcome]:
    fresh = _first_occurrences(chunk, taken)
    if len(fresh) < len(chunk):
        log.warning(
            "duplicate recipients in batch",
            extra={"batch_id": str(cmd.batch_id), "duplicates": len(chunk) - len(fresh)},
        )
    if not fresh:
        return []
    claimed = set(
        await deps.claims.claim(
            ClaimMessages(
                correlation_id=cmd.correlation_id,
                org_id=cmd.org_id,
                actor="dispatch",
                campaign_id=cmd.campaign_id,
                recipient_ids=[m.recipient_id for m in fresh],
            )
        )
    )
    taken.update(m.recipient_id for m in fresh)
    send = _sender_for(cmd, deps)
    tasks: dict[str, asyncio.Task[SendOutcome]] = {}
    # A sender raising anything outside the domain taxonomy is a bug: the task group cancels the
    # chunk's other sends and the batch is redelivered (they are `sending` now, so not resent).
    async with asyncio.TaskGroup() as group:
        for message in fresh:
            if message.recipient_id in claimed:
                tasks[message.recipient_id] = group.create_task(_deliver(cmd, message, send, deps))
    return [
        tasks[m.recipient_id].result()
        if m.recipient_id in tasks
        else SendOutcome(
            recipient_id=m.recipient_id, status="not_claimed", reason=reasons.NOT_CLAIMED
        )
        for m in fresh
    ]


def _sender_for(cmd: SendMessages, deps: SendingDeps) -> Send:
    org_id = cmd.org_id
    if cmd.channel == "sms":
        sms, sms_limiter = deps.sms, deps.sms_limiter

        async def send_sms(message: OutboundMessage) -> str | None:
            async with deps.in_flight:
                await sms_limiter.acquire()
                return await sms.send_sms(message, org_id=org_id)

        return send_sms
    email, email_limiter = deps.email, deps.email_limiter

    async def send_email(message: OutboundMessage) -> str | None:
        async with deps.in_flight:
            await email_limiter.acquire()
            return await email.send_email(message, org_id=org_id)

    return send_email


async def _deliver(
    cmd: SendMessages, message: OutboundMessage, send: Send, deps: SendingDeps
) -> SendOutcome:
    policy = deps.policy
    retrying = AsyncRetrying(
        stop=stop_after_attempt(policy.attempts),
        # Exponential from initial_backoff_s, capped, with jitter so that a chunk's retries
        # do not hit a recovering provider all at once.
        wait=wait_exponential(multiplier=policy.initial_backoff_s, max=policy.max_backoff_s)
        + wait_random(0, policy.initial_backoff_s),
        retry=retry_if_exception_type(RetryableSendError),
        reraise=True,
    )
    try:
        reference: str | None = await retrying(send, message)
    except SendError as exc:
        return _failure_outcome(cmd, message, exc)
    # An SMS is only with the provider (a receipt follows); email accepted by the relay is final.
    status = "sent" if cmd.channel == "sms" else "delivered"
    return SendOutcome(
        recipient_id=message.recipient_id, status=status, provider_reference=reference
    )


def _failure_outcome(cmd: SendMessages, message: OutboundMessage, exc: SendError) -> SendOutcome:
    if isinstance(exc, OutcomeUnknownError):
        return SendOutcome(
            recipient_id=message.recipient_id, status="outcome_unknown", reason=exc.reason
        )
    if isinstance(exc, ProviderConfigurationError):
        # TODO(later issue): pause the campaign instead of failing every remaining recipient.
        log.error(
            "provider refused our configuration",
            extra={
                "campaign_id": str(cmd.campaign_id),
                "recipient_id": message.recipient_id,
                "channel": cmd.channel,
                "provider_code": exc.provider_code,
            },
        )
    elif isinstance(exc, RetryableSendError):
        log.warning(
            "provider unavailable after retries",
            extra={"campaign_id": str(cmd.campaign_id), "recipient_id": message.recipient_id},
        )
    return SendOutcome(
        recipient_id=message.recipient_id,
        status="failed",
        reason_code=exc.reason_code,
        reason=exc.reason,
    )


def _first_occurrences(chunk: Sequence[OutboundMessage], taken: set[str]) -> list[OutboundMessage]:
    """A recipient listed twice in one batch is claimed, sent and reported once."""
    fresh: list[OutboundMessage] = []
    ids: set[str] = set()
    for message in chunk:
        if message.recipient_id not in taken and message.recipient_id not in ids:
            ids.add(message.recipient_id)
            fresh.append(message)
    return fresh


def _chunks(messages: Sequence[OutboundMessage], size: int) -> list[Sequence[OutboundMessage]]:
    return [messages[i : i + size] for i in range(0, len(messages), size)]


def _record(cmd: SendMessages, outcomes: list[SendOutcome]) -> None:
    counts = Counter(o.status for o in outcomes)
    for status, count in counts.items():
        SEND_OUTCOMES.labels(cmd.channel, status).inc(count)
    log.info(
        "chunk reported",
        extra={
            "campaign_id": str(cmd.campaign_id),
            "batch_id": str(cmd.batch_id),
            "message_id": str(cmd.message_id),
            **{f"count_{status}": n for status, n in counts.items()},
        },
    )
