"""The only place that builds real adapters from settings."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from aiolimiter import AsyncLimiter
from faststream.rabbit import RabbitBroker
from prometheus_client import Gauge

from cohort_contracts.routing import SEND_MESSAGES
from cohort_platform.broker import RabbitPublisher
from cohort_platform.rabbit_consumers import RabbitConsumerCounter
from cohort_platform.rate_limiter import TokenBucket
from cohort_platform.rate_sharing import ConsumerCounter, RateSharer
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .adapters.campaign_claims import RpcCampaignClaims
from .adapters.firetext_sms import FiretextAccount, FiretextSmsSender, make_http_client
from .adapters.smtp_email import SmtpEmailSender, SmtpSettings
from .adapters.stubs import StubEmailSender, StubSmsSender
from .config import Settings
from .handlers import Deps, RetryPolicy, SendingDeps, SendPolicy
from .ports import CampaignClaims, CreditSource, EmailSender, EventPublisher, RateLimiter, SmsSender

SMS_RATE_LIMIT = Gauge(
    "dispatch_sms_rate_limit_per_second",
    "SMS per second this instance currently allows itself: its share of the deployment's limit.",
)
SMS_SHARING_INSTANCES = Gauge(
    "dispatch_sms_rate_sharing_instances",
    "Consumers on the send-messages queue at the last refresh: instances sharing the SMS limit.",
)


@dataclass(frozen=True)
class Senders:
    sms: SmsSender
    email: EmailSender
    credit: CreditSource


def firetext_sender(settings: Settings) -> FiretextSmsSender:
    client = make_http_client(
        connect_timeout=settings.firetext_connect_timeout_s,
        read_timeout=settings.firetext_read_timeout_s,
        pool_timeout=settings.firetext_pool_timeout_s,
        max_connections=settings.concurrency,
    )
    default = FiretextAccount(settings.firetext_api_key, settings.sms_sender_id)
    return FiretextSmsSender(
        client,
        base_url=settings.firetext_base_url,
        default_account=default,
        accounts={
            org: FiretextAccount(account.api_key, account.sender_id or settings.sms_sender_id)
            for org, account in settings.firetext_accounts.items()
        },
        receipt_base_url=settings.receipt_url,
        webhook_secret=settings.webhook_secret,
        credit_timeout_s=settings.firetext_credit_timeout_s,
    )


def smtp_settings(settings: Settings) -> SmtpSettings:
    return SmtpSettings(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.smtp_from,
        senders=settings.email_senders,
        timeout=settings.smtp_timeout_s,
        default_subject=settings.email_default_subject,
        username=settings.smtp_username,
        password=settings.smtp_password,
        use_tls=settings.smtp_use_tls,
        start_tls=settings.smtp_start_tls,
    )


@asynccontextmanager
async def open_senders(settings: Settings) -> AsyncIterator[Senders]:
    async with AsyncExitStack() as stack:
        sms: StubSmsSender | FiretextSmsSender
        if settings.sms_provider == "stub":
            sms = StubSmsSender()
        else:
            sms = firetext_sender(settings)
            stack.push_async_callback(sms.aclose)
        email: EmailSender
        if settings.email_provider == "stub":
            email = StubEmailSender()
        else:
            email = SmtpEmailSender(smtp_settings(settings))
        yield Senders(sms=sms, email=email, credit=sms)


def rate_limiter(per_second: float) -> AsyncLimiter:
    """A per-process limit (email)."""
    # aiolimiter cannot hold less than one whole call, so a rate below 1/s stretches the period.
    if per_second >= 1:
        return AsyncLimiter(per_second, 1.0)
    return AsyncLimiter(1, 1.0 / per_second)


def sms_rate_sharer(
    settings: Settings, limiter: TokenBucket, counter: ConsumerCounter
) -> RateSharer:
    """Keeps ``limiter`` at this instance's share of the deployment's SMS rate, counting the
    instances by their consumers on the send-messages queue (cohort_platform.rate_sharing)."""
    return RateSharer(
        limiter,
        counter,
        total_rate=settings.sms_rate_limit,
        name="sms",
        period_s=settings.sms_rate_refresh_s,
        rate_gauge=SMS_RATE_LIMIT,
        instances_gauge=SMS_SHARING_INSTANCES,
    )


def send_queue_counter(rabbit: RabbitSettings) -> RabbitConsumerCounter:
    return RabbitConsumerCounter(rabbit.rabbitmq_url, Topology(rabbit).name(SEND_MESSAGES.queue))


def sending_deps(
    settings: Settings,
    senders: Senders,
    claims: CampaignClaims,
    events: EventPublisher,
    sms_limiter: RateLimiter,
) -> SendingDeps:
    return SendingDeps(
        claims=claims,
        sms=senders.sms,
        email=senders.email,
        events=events,
        sms_limiter=sms_limiter,
        email_limiter=rate_limiter(settings.email_rate_limit),
        in_flight=asyncio.Semaphore(settings.concurrency),
        policy=SendPolicy(
            chunk_size=settings.chunk_size,
            group_size=settings.sms_group_size,
            retry=RetryPolicy(
                attempts=settings.send_attempts,
                initial_backoff_s=settings.retry_initial_backoff_s,
                max_backoff_s=settings.retry_max_backoff_s,
            ),
        ),
    )


@dataclass(frozen=True)
class ConsumerAdapters:
    """What the consumer's handlers run on, and the SMS rate sharer that paces them."""

    deps: Deps
    #: Keeps the SMS limiter at this instance's share; started once the consumer is attached.
    sms_sharer: RateSharer
    send_queue_counter: RabbitConsumerCounter

    async def aclose(self) -> None:
        await self.send_queue_counter.aclose()


def consumer_adapters(
    settings: Settings,
    rabbit: RabbitSettings,
    senders: Senders,
    broker: RabbitBroker,
    topology: Topology,
    rpc: RpcClient,
) -> ConsumerAdapters:
    """Events go out on ``broker``; claims go to campaign over ``rpc``."""
    sms_limiter = TokenBucket(settings.sms_rate_limit)
    counter = send_queue_counter(rabbit)
    events = RabbitPublisher(broker, topology)
    claims = RpcCampaignClaims(
        rpc,
        RetryPolicy(
            attempts=settings.claim_attempts,
            initial_backoff_s=settings.retry_initial_backoff_s,
            max_backoff_s=settings.claim_max_backoff_s,
        ),
    )
    sending = sending_deps(settings, senders, claims, events, sms_limiter)
    return ConsumerAdapters(
        deps=Deps(sending=sending, credit=senders.credit),
        sms_sharer=sms_rate_sharer(settings, sms_limiter, counter),
        send_queue_counter=counter,
    )
