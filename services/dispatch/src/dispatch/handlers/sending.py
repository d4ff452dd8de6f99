"""``SendMessages``: claim, send, report, chunk by chunk.

The order within a chunk is the safety argument for "no patient messaged twice": nothing is
sent before campaign has moved it ``queued`` → ``sending`` for us, and campaign hands each
recipient to exactly one claim. A redelivered batch (after a crash, a failed publish or a lost
ack) therefore finds its already-claimed recipients unclaimable and reports them
``not_claimed``; only what was never claimed can go out.

When the provider refuses *us* (configuration, credit), the batch stops: the chunk's claimed
but unsent recipients are reported ``returned``, the rest of the batch ``not_claimed`` (never
claimed), and the event carries ``blocked`` so campaign pauses the campaign. A test send
(``SendMessages.test``) goes to the requesting user, not to a recipient: it is sent without a
claim and reported in the logs only."""

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from prometheus_client import Counter as MetricCounter
from tenacity import AsyncRetrying, stop_after_attempt, wait_exponential

from cohort_contracts.campaign_requests import ClaimMessages
from cohort_contracts.routing import MESSAGES_SENT
from cohort_contracts.sending import (
    MessagesSent,
    OutboundMessage,
    SendMessages,
    SendOutcome,
    SendStatus,
)
from cohort_nhs import international_digits
from cohort_platform.tracing import new_trace

from ..domain import reasons
from ..domain.grouping import MAX_NUMBERS_PER_REQUEST, ProviderRequest, group_identical, single
from ..domain.retry_policy import RetryPolicy
from ..ports import CampaignClaims, EmailSender, EventPublisher, RateLimiter, SmsSender
from .delivery import Blocker, Channel, deliver, email_call, sms_call

log = logging.getLogger("dispatch.sending")

SEND_OUTCOMES = MetricCounter(
    "dispatch_send_outcomes", "Messages by channel and send outcome", ["channel", "status"]
)
SENDING_BLOCKED = MetricCounter(
    "dispatch_sending_blocked", "Batches stopped because the provider refused us", ["reason_code"]
)


@dataclass(frozen=True)
class SendPolicy:
    chunk_size: int = 50
    #: Recipients of identical text per SMS request (Firetext takes 50); 1 turns grouping off.
    group_size: int = MAX_NUMBERS_PER_REQUEST
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: Attempts to publish a chunk's ``MessagesSent`` before the batch is given up for redelivery.
    publish_attempts: int = 3
    publish_backoff_s: float = 0.2


@dataclass(frozen=True)
class SendingDeps:
    claims: CampaignClaims
    sms: SmsSender
    email: EmailSender
    events: EventPublisher
    #: Messages per second to the SMS provider: this instance's share of the deployment's.
    sms_limiter: RateLimiter
    email_limiter: RateLimiter
    #: Provider calls in flight in this process, across all batches.
    in_flight: asyncio.Semaphore
    policy: SendPolicy


async def send_messages(cmd: SendMessages, deps: SendingDeps) -> None:
    if cmd.test or cmd.notification:
        await _send_test(cmd, deps)
        return
    taken: set[str] = set()
    blocker = Blocker()
    chunks = _chunks(cmd.messages, deps.policy.chunk_size)
    for index, chunk in enumerate(chunks):
        fresh = _first_occurrences(chunk, taken, cmd)
        if not fresh:
            continue
        outcomes = await _claim_and_send(cmd, fresh, deps, blocker)
        taken.update(m.recipient_id for m in fresh)
        if blocker.error is not None:
            # Never claimed, so still `queued` at campaign, which returns them to `ready` when
            # it pauses the campaign.
            rest = [m for later in chunks[index + 1 :] for m in later]
            outcomes += [
                SendOutcome(
                    recipient_id=m.recipient_id,
                    status="not_claimed",
                    reason=reasons.NOT_SENT_WHILE_BLOCKED,
                )
                for m in _first_occurrences(rest, taken, cmd)
            ]
        # If this publish fails for good we raise and the batch is redelivered. Campaign already
        # holds these recipients as `sending`, so the claim then returns none of them: they are
        # reported `not_claimed` and campaign settles them from the provider's receipts.
        event = MessagesSent(
            correlation_id=cmd.correlation_id,
            org_id=cmd.org_id,
            campaign_id=cmd.campaign_id,
            batch_id=cmd.batch_id,
            outcomes=outcomes,
            blocked=blocker.as_event(),
        )
        await _publish(event, deps)
        _record(cmd, outcomes)
        if event.blocked is not None:
            SENDING_BLOCKED.labels(event.blocked.reason_code).inc()
            return


async def _claim_and_send(
    cmd: SendMessages, fresh: list[OutboundMessage], deps: SendingDeps, blocker: Blocker
) -> list[SendOutcome]:
    # Each chunk is a trace of its own (its claim and its provider calls), linked to the
    # batch's, so a trace stays readable and the sampler keeps or drops a chunk whole.
    with new_trace("send chunk", batch_id=str(cmd.batch_id), recipients=len(fresh)):
        return await _claim_and_send_chunk(cmd, fresh, deps, blocker)


async def _claim_and_send_chunk(
    cmd: SendMessages, fresh: list[OutboundMessage], deps: SendingDeps, blocker: Blocker
) -> list[SendOutcome]:
    # The provider requests are planned before the claim, and the claim names each group's
    # reference: if this process dies after the provider took a group but before its report,
    # campaign still knows which recipients the group's receipts are for.
    planned = _plan(cmd, fresh, deps.policy)
    claimed = set(
        await deps.claims.claim(
            ClaimMessages(
                correlation_id=cmd.correlation_id,
                org_id=cmd.org_id,
                actor="dispatch",
                campaign_id=cmd.campaign_id,
                recipient_ids=[m.recipient_id for m in fresh],
                channel=cmd.channel,
                provider_references={
                    m.recipient_id: request.reference
                    for request in planned
                    if request.is_group
                    for m in request.messages
                },
            )
        )
    )
    sent = await _send_all(cmd, _claimed_part(planned, claimed), deps, blocker)
    return [
        sent.get(m.recipient_id)
        or SendOutcome(
            recipient_id=m.recipient_id, status="not_claimed", reason=reasons.NOT_CLAIMED
        )
        for m in fresh
    ]


async def _send_test(cmd: SendMessages, deps: SendingDeps) -> None:
    """Not campaign recipients: no claim, no ``MessagesSent``; ids and counts in the log."""
    blocker = Blocker()
    messages = _first_occurrences(cmd.messages, set(), cmd)
    sent = await _send_all(cmd, _plan(cmd, messages, deps.policy), deps, blocker)
    log.info(
        "notification sent" if cmd.notification else "test send",
        extra={
            **_batch_counts(cmd, Counter(o.status for o in sent.values())),
            "blocked": blocker.error.reason_code if blocker.error else None,
        },
    )


async def _send_all(
    cmd: SendMessages, requests: list[ProviderRequest], deps: SendingDeps, blocker: Blocker
) -> dict[str, SendOutcome]:
    channel = _channel(cmd, deps)
    tasks: list[asyncio.Task[list[SendOutcome]]] = []
    # A sender raising anything outside the domain taxonomy is a bug: the task group cancels the
    # chunk's other sends and the batch is redelivered (they are `sending` now, so not resent).
    async with asyncio.TaskGroup() as group:
        for request in requests:
            tasks.append(group.create_task(deliver(cmd, request, channel, blocker)))
    return {o.recipient_id: o for task in tasks for o in task.result()}


def _claimed_part(planned: list[ProviderRequest], claimed: set[str]) -> list[ProviderRequest]:
    """Each planned request with only its claimed recipients, under the reference the claim
    stored (even if one recipient is left of a group: its receipts match by reference and
    number either way)."""
    requests = []
    for request in planned:
        members = tuple(m for m in request.messages if m.recipient_id in claimed)
        if members:
            requests.append(ProviderRequest(request.reference, members))
    return requests


def _plan(
    cmd: SendMessages, messages: list[OutboundMessage], policy: SendPolicy
) -> list[ProviderRequest]:
    if cmd.channel != "sms":
        return [single(m) for m in messages]
    return group_identical(messages, number_of=international_digits, max_size=policy.group_size)


def _channel(cmd: SendMessages, deps: SendingDeps) -> Channel:
    if cmd.channel == "sms":
        call, limiter = sms_call(deps.sms, cmd.org_id), deps.sms_limiter
    else:
        call, limiter = email_call(deps.email, cmd.org_id), deps.email_limiter
    return Channel(cmd.channel, call, limiter, deps.in_flight, deps.policy.retry)


async def _publish(event: MessagesSent, deps: SendingDeps) -> None:
    # A few quick tries: returned recipients have no receipt to settle them, so losing this
    # event would leave them `sending`. A duplicate is harmless (campaign applies outcomes
    # idempotently).
    retrying = AsyncRetrying(
        stop=stop_after_attempt(deps.policy.publish_attempts),
        wait=wait_exponential(multiplier=deps.policy.publish_backoff_s, max=2.0),
        reraise=True,
    )
    await retrying(deps.events.publish, MESSAGES_SENT, event)


def _first_occurrences(
    messages: Sequence[OutboundMessage], taken: set[str], cmd: SendMessages
) -> list[OutboundMessage]:
    """A recipient listed twice in one batch is claimed, sent and reported once."""
    fresh: list[OutboundMessage] = []
    ids: set[str] = set()
    for message in messages:
        if message.recipient_id not in taken and message.recipient_id not in ids:
            ids.add(message.recipient_id)
            fresh.append(message)
    if len(fresh) < len(messages):
        log.warning(
            "duplicate recipients in batch",
            extra={"batch_id": str(cmd.batch_id), "duplicates": len(messages) - len(fresh)},
        )
    return fresh


def _chunks(messages: Sequence[OutboundMessage], size: int) -> list[Sequence[OutboundMessage]]:
    return [messages[i : i + size] for i in range(0, len(messages), size)]


def _record(cmd: SendMessages, outcomes: list[SendOutcome]) -> None:
    counts = Counter(o.status for o in outcomes)
    for status, count in counts.items():
        SEND_OUTCOMES.labels(cmd.channel, status).inc(count)
    log.info("chunk reported", extra=_batch_counts(cmd, counts))


def _batch_counts(cmd: SendMessages, counts: Counter[SendStatus]) -> dict[str, str | int]:
    """What a log line about sends carries: the batch's ids and a count per outcome, never a
    number, an address or the text."""
    return {
        "campaign_id": str(cmd.campaign_id),
        "batch_id": str(cmd.batch_id),
        "message_id": str(cmd.message_id),
        **{f"count_{status}": n for status, n in counts.items()},
    }
