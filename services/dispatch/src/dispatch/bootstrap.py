"""The only place that builds real adapters from settings."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from .adapters.firetext_sms import FiretextSmsSender, make_http_client
from .adapters.smtp_email import SmtpEmailSender
from .adapters.stubs import StubEmailSender, StubSmsSender
from .config import Settings
from .handlers import SendingDeps, SendPolicy
from .ports import CampaignClaims, EmailSender, EventPublisher, SmsSender


@dataclass(frozen=True)
class Senders:
    sms: SmsSender
    email: EmailSender


@asynccontextmanager
async def open_senders(settings: Settings) -> AsyncIterator[Senders]:
    async with AsyncExitStack() as stack:
        sms: SmsSender
        if settings.sms_provider == "stub":
            sms = StubSmsSender()
        else:
            client = make_http_client(
                connect_timeout=settings.firetext_connect_timeout_s,
                read_timeout=settings.firetext_read_timeout_s,
                pool_timeout=settings.firetext_pool_timeout_s,
                max_connections=settings.concurrency,
            )
            stack.push_async_callback(client.aclose)
            sms = FiretextSmsSender(
                client,
                base_url=settings.firetext_base_url,
                api_key=settings.firetext_api_key,
                sender_id=settings.sms_sender_id,
                receipt_base_url=settings.receipt_url,
                webhook_secret=settings.webhook_secret,
            )
        email: EmailSender
        if settings.email_provider == "stub":
            email = StubEmailSender()
        else:
            email = SmtpEmailSender(
                host=settings.smtp_host,
                port=settings.smtp_port,
                sender=settings.smtp_from,
                timeout=settings.smtp_timeout_s,
                default_subject=settings.email_default_subject,
                username=settings.smtp_username,
                password=settings.smtp_password,
                use_tls=settings.smtp_use_tls,
                start_tls=settings.smtp_start_tls,
            )
        yield Senders(sms=sms, email=email)


def rate_limiter(per_second: float) -> AsyncLimiter:
    """Per process for now; issue 4 makes the SMS limit deployment-wide."""
    # aiolimiter cannot hold less than one whole call, so a rate below 1/s stretches the period.
    if per_second >= 1:
        return AsyncLimiter(per_second, 1.0)
    return AsyncLimiter(1, 1.0 / per_second)


def sending_deps(
    settings: Settings, senders: Senders, claims: CampaignClaims, events: EventPublisher
) -> SendingDeps:
    return SendingDeps(
        claims=claims,
        sms=senders.sms,
        email=senders.email,
        events=events,
        sms_limiter=rate_limiter(settings.sms_rate_limit),
        email_limiter=rate_limiter(settings.email_rate_limit),
        in_flight=asyncio.Semaphore(settings.concurrency),
        policy=SendPolicy(
            chunk_size=settings.chunk_size,
            attempts=settings.send_attempts,
            initial_backoff_s=settings.retry_initial_backoff_s,
            max_backoff_s=settings.retry_max_backoff_s,
        ),
    )
