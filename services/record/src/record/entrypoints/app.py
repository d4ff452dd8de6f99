"""The record process: the consumer, the background loops, and /healthz, /readyz, /metrics."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.health import worker_app
from cohort_platform.logs import configure_logging
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .. import bootstrap
from ..adapters.mongo_database import MongoHandle
from ..config import RecordSettings
from .consumer import register
from .workers import InboxPoller, sender, status_publisher

log = logging.getLogger("record")


def create_app(
    settings: RecordSettings | None = None,
    rabbit: RabbitSettings | None = None,
    mongo: MongoHandle | None = None,
) -> Starlette:
    settings = settings or RecordSettings()
    rabbit = rabbit or RabbitSettings()
    topology = Topology(rabbit)
    broker = make_broker(rabbit, prefetch=settings.prefetch)
    owns_mongo = mongo is None
    mongo = mongo or bootstrap.open_store(settings)
    mailbox = bootstrap.mesh_mailbox(settings)
    deps = bootstrap.build_deps(settings, mongo, mailbox, broker, topology)
    register(broker, topology, deps)
    sending = sender(deps, settings.send_batch, settings.send_interval_s)
    statuses = status_publisher(deps)
    poller = InboxPoller(
        deps,
        poll_interval_s=settings.poll_interval_s,
        handshake_interval_s=settings.handshake_interval_s,
        sweep_interval_s=settings.timeout_sweep_interval_s,
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        configure_logging("record", settings.log_level)
        mongo.warn_if_standin()
        bootstrap.warn_if_insecure(settings)
        await mongo.ensure_indexes()
        await mailbox.open()
        await start_consuming(broker, topology)
        for loop in (sending, statuses, poller):
            loop.start()
        log.info(
            "record started",
            extra={"mailbox": settings.mesh_mailbox, "practices": sorted(deps.practices)},
        )
        try:
            yield
        finally:
            await broker.stop()
            for loop in (sending, statuses, poller):
                await loop.stop()
            await mailbox.close()
            if owns_mongo:
                await mongo.close()

    return worker_app(lifespan, "Cohort record", broker, {"mongodb": mongo.ping})
