"""The only place that builds ingest's real adapters."""

from dataclasses import dataclass

import httpx2
from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import RESOLVE_ROWS
from cohort_platform.busy_sharing import BusyRateSharer, Presence, SharingTimes
from cohort_platform.rabbit_presence import RabbitPresence, presence_queue
from cohort_platform.rate_limiter import TokenBucket
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .adapters.clock import UkClock
from .adapters.credential_hold import CredentialHold, HoldTimes
from .adapters.pds import PdsPatientDirectory, PdsTimeouts, RetryPolicy, make_http_client
from .adapters.pds_metrics import PDS_RATE_LIMIT, PDS_SHARING_INSTANCES
from .adapters.rabbit_publisher import RabbitEventPublisher
from .adapters.tokens import (
    SignedJwtSettings,
    SignedJwtTokenProvider,
    StaticTokenProvider,
    load_private_key,
)
from .config import IngestSettings
from .handlers import Dependencies
from .ports import AccessTokenProvider, RateLimiter


@dataclass(frozen=True)
class Adapters:
    dependencies: Dependencies
    directory: PdsPatientDirectory
    #: Paces the directory's PDS requests at this instance's share of the deployment's PDS
    #: rate, shared among the instances with lookups to make.
    rate_sharer: BusyRateSharer

    async def aclose(self) -> None:
        await self.rate_sharer.stop()
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
            SignedJwtSettings(
                token_url=settings.pds_token_url,
                api_key=api_key.get_secret_value(),
                private_key=load_private_key(key_path),
                key_id=settings.pds_key_id,
            ),
        )
    return None


def build_directory(
    settings: IngestSettings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    limiter: RateLimiter | None = None,
    hold: CredentialHold | None = None,
) -> PdsPatientDirectory:
    """The PDS client. Without ``limiter`` it paces itself at the whole ``pds_rate_limit``, as
    if it were the only instance; ``bootstrap`` passes the sharer of the deployment's limit."""
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
        hold=hold
        or CredentialHold(
            HoldTimes(
                initial_s=settings.pds_credentials_retry_initial_s,
                max_s=settings.pds_credentials_retry_max_s,
            )
        ),
    )


def pds_rate_sharer(settings: IngestSettings, presence: Presence) -> BusyRateSharer:
    """Paces PDS requests at this instance's share of the deployment's PDS rate, shared among
    the instances that have lookups to make (cohort_platform.busy_sharing)."""
    return BusyRateSharer(
        presence,
        total_rate=settings.pds_rate_limit,
        name="pds",
        times=SharingTimes(
            lease_s=settings.pds_rate_lease_s,
            period_s=settings.pds_rate_refresh_s,
            linger_s=settings.pds_rate_linger_s,
        ),
        rate_gauge=PDS_RATE_LIMIT,
        instances_gauge=PDS_SHARING_INSTANCES,
    )


def pds_presence(rabbit: RabbitSettings) -> RabbitPresence:
    """Where ingest instances with lookups to make see each other: the presence queue beside
    ingest's work queue."""
    return RabbitPresence(rabbit.rabbitmq_url, presence_queue(Topology(rabbit), RESOLVE_ROWS.queue))


def bootstrap(
    settings: IngestSettings, rabbit: RabbitSettings, broker: RabbitBroker, topology: Topology
) -> Adapters:
    sharer = pds_rate_sharer(settings, pds_presence(rabbit))
    directory = build_directory(settings, limiter=sharer)
    dependencies = Dependencies(
        directory=directory,
        publisher=RabbitEventPublisher(broker, topology),
        clock=UkClock(),
    )
    return Adapters(dependencies=dependencies, directory=directory, rate_sharer=sharer)
