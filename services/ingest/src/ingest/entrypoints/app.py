"""The ingest worker as an ASGI app: the consumer runs in the lifespan; HTTP serves health."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.health import worker_app
from cohort_platform.logs import configure_logging
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from ..bootstrap import bootstrap
from ..config import IngestSettings
from .consumer import register_consumer


def configure_ingest_logging(level: str) -> None:
    # configure_logging quietens httpx2, whose INFO lines carry the PDS URL (the NHS number).
    configure_logging("ingest", level)


def create_app(
    settings: IngestSettings | None = None, rabbit: RabbitSettings | None = None
) -> Starlette:
    settings = settings or IngestSettings()
    rabbit = rabbit or RabbitSettings()
    broker = make_broker(rabbit, prefetch=settings.prefetch)
    topology = Topology(rabbit)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        configure_ingest_logging(settings.log_level)
        adapters = bootstrap(settings, rabbit, broker, topology)
        register_consumer(broker, topology, adapters.dependencies)
        try:
            # Registers for a PDS share when the first lookup asks (cohort_platform.busy_sharing).
            await adapters.rate_sharer.start()
            await start_consuming(broker, topology)
            yield
        finally:
            # Waits for in-flight batches, whose lookups still take their PDS share; unacked
            # ones are redelivered to another instance. Then the share is withdrawn.
            await broker.stop()
            await adapters.aclose()

    return worker_app(lifespan, "Cohort ingest", broker)
