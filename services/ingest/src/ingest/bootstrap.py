"""The only place that builds ingest's real adapters."""

from dataclasses import dataclass

import httpx2
from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import RESOLVE_ROWS
from cohort_platform.rabbit_consumers import RabbitConsumerCounter
from cohort_platform.rate_limiter import TokenBucket
from cohort_platform.rate_sharing import ConsumerCounter, RateSharer
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .adapters.clock import UkClock
from .adapters.pds import PdsPatientDirectory, PdsTimeouts, RetryPolicy, make_http_client
from .adapters.rabbit_publisher import RabbitEventPublisher
from .adapters.tokens import SignedJwtTokenProvider, StaticTokenProvider, load_private_key
from .config import IngestSettings
from .handlers import Dependencies
from .metrics import PDS_RATE_LIMIT, PDS_SHARING_INSTANCES
from .ports import AccessTokenProvider, RateLimiter


@dataclass(frozen=True)
class Adapters:
    dependencies: Dependencies
    directory: PdsPatientDirectory
    #: Paces the directory's PDS requests ...
    limiter: RateLimiter
    #: ... at this instance's share of the deployment's PDS rate.
    rate_sharer: RateSharer
    consumer_counter: RabbitConsumerCounter

    async def aclose(self) -> None:
        await self.rate_sharer.stop()
        await self.consumer_counter.aclose()
        await self.directory.aclose()


def build_token_provider(settings: IngestSettings) -> AccessTokenProvider | None:
    if settings.pds_auth == "static" and settings.pds_access_token is not None:
        return StaticTokenProvider(settings.pds_access_token)
    if settings.pds_auth == "signed-jwt":
        api_key, key_path = settings.pds_api_key, settings.pds_private_key_path
        if api_key is None or key_path is None or settings.pds_key_id is None:
            raise ValueError("incomplete signed-jwt settings")  # IngestSettings refuses these
        return SignedJwtTokenProvider(
            httpx2.AsyncClient(
                timeout=httpx2.Timeout(
                    settings.pds_read_timeout_s, connect=settings.pds_connect_timeout_s
                ),
                headers={"Accept": "application/json"},
            ),
            token_url=settings.pds_token_url,
            api_key=api_key.get_secret_value(),
            private_key=load_private_key(key_path),
            key_id=settings.pds_key_id,
        )
    return None


def build_directory(
    settings: IngestSettings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    limiter: RateLimiter | None = None,
) -> PdsPatientDirectory:
    """The PDS client. Without ``limiter`` it paces itself at the whole ``pds_rate_limit``, as
    if it were the only instance; ``bootstrap`` passes the limiter it shares out."""
    timeouts = PdsTimeouts(
        connect_s=settings.pds_connect_timeout_s,
        read_s=settings.pds_read_timeout_s,
        attempt_s=settings.pds_attempt_timeout_s,
    )
    client = make_http_client(
        settings.pds_base_url,
        timeouts=timeouts,
        max_connections=settings.pds_concurrency,
        transport=transport,
    )
    return PdsPatientDirectory(
        client,
        limiter=limiter or TokenBucket(settings.pds_rate_limit),
        concurrency=settings.pds_concurrency,
        retry=RetryPolicy(
            attempts=settings.pds_retry_attempts,
            backoff_initial_s=settings.pds_backoff_initial_s,
            backoff_max_s=settings.pds_backoff_max_s,
        ),
        attempt_timeout_s=settings.pds_attempt_timeout_s,
        tokens=build_token_provider(settings),
    )


def pds_rate_sharer(
    settings: IngestSettings, limiter: RateLimiter, counter: ConsumerCounter
) -> RateSharer:
    """Keeps ``limiter`` at this instance's share of the deployment's PDS rate, counting the
    instances on ingest's work queue (cohort_platform.rate_sharing)."""
    return RateSharer(
        limiter,
        counter,
        total_rate=settings.pds_rate_limit,
        name="pds",
        period_s=settings.pds_rate_refresh_s,
        rate_gauge=PDS_RATE_LIMIT,
        instances_gauge=PDS_SHARING_INSTANCES,
    )


def build_rate_sharer(
    settings: IngestSettings, rabbit: RabbitSettings, limiter: RateLimiter
) -> tuple[RateSharer, RabbitConsumerCounter]:
    counter = RabbitConsumerCounter(rabbit.rabbitmq_url, Topology(rabbit).name(RESOLVE_ROWS.queue))
    return pds_rate_sharer(settings, limiter, counter), counter


def bootstrap(
    settings: IngestSettings, rabbit: RabbitSettings, broker: RabbitBroker, topology: Topology
) -> Adapters:
    limiter = TokenBucket(settings.pds_rate_limit)
    directory = build_directory(settings, limiter=limiter)
    sharer, counter = build_rate_sharer(settings, rabbit, limiter)
    dependencies = Dependencies(
        directory=directory,
        publisher=RabbitEventPublisher(broker, topology),
        clock=UkClock(),
    )
    return Adapters(
        dependencies=dependencies,
        directory=directory,
        limiter=limiter,
        rate_sharer=sharer,
        consumer_counter=counter,
    )
