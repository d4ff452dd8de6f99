"""The only place that builds ingest's real adapters."""

from dataclasses import dataclass

import httpx2
from faststream.rabbit import RabbitBroker

from cohort_platform.topology import Topology

from .adapters.clock import UkClock
from .adapters.pds import (
    PdsPatientDirectory,
    PdsTimeouts,
    RetryPolicy,
    make_http_client,
    make_rate_limiter,
)
from .adapters.rabbit_publisher import RabbitEventPublisher
from .adapters.tokens import StaticTokenProvider
from .config import IngestSettings
from .handlers import Dependencies


@dataclass(frozen=True)
class Adapters:
    dependencies: Dependencies
    directory: PdsPatientDirectory

    async def aclose(self) -> None:
        await self.directory.aclose()


def build_directory(
    settings: IngestSettings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> PdsPatientDirectory:
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
        # Per instance for now: N instances may together send N x the rate.
        # TODO(issue 3): a deployment-wide limiter shared through the broker or a store.
        limiter=make_rate_limiter(settings.pds_rate_limit),
        concurrency=settings.pds_concurrency,
        retry=RetryPolicy(
            attempts=settings.pds_retry_attempts,
            backoff_initial_s=settings.pds_backoff_initial_s,
            backoff_max_s=settings.pds_backoff_max_s,
        ),
        attempt_timeout_s=settings.pds_attempt_timeout_s,
        tokens=(
            StaticTokenProvider(settings.pds_access_token)
            if settings.pds_access_token is not None
            else None
        ),
    )


def bootstrap(settings: IngestSettings, broker: RabbitBroker, topology: Topology) -> Adapters:
    directory = build_directory(settings)
    dependencies = Dependencies(
        directory=directory,
        publisher=RabbitEventPublisher(broker, topology),
        clock=UkClock(),
    )
    return Adapters(dependencies=dependencies, directory=directory)
