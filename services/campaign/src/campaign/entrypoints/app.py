"""The campaign process: subscribers, the releaser, and /healthz, /readyz, /metrics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette

from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.health import worker_app
from cohort_platform.logs import configure_logging
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from ..adapters.mongo_database import MongoHandle
from ..bootstrap import build_deps, build_gpconnect, open_store, warn_if_insecure
from ..config import CampaignSettings
from .consumer import register
from .outbox import OutboxDrainer
from .releaser import Releaser


def create_app(
    settings: CampaignSettings | None = None,
    rabbit: RabbitSettings | None = None,
    mongo: MongoHandle | None = None,
) -> Starlette:
    """The campaign process. ``mongo`` lets tests run two instances on one store (with the
    in-process stand-in, the only way two instances can share one); it is closed by its owner."""
    settings = settings or CampaignSettings()
    rabbit = rabbit or RabbitSettings()
    topology = Topology(rabbit)
    broker = make_broker(rabbit, prefetch=settings.prefetch)
    owns_mongo = mongo is None
    mongo = mongo or open_store(settings)
    # Credit balance requests to dispatch; short, because a review must not hang on them.
    rpc = RpcClient(broker, topology, caller="campaign", timeout=settings.credit_timeout_s)
    rpc.attach()
    gp = build_gpconnect(settings)
    deps = build_deps(settings, mongo, broker, topology, rpc, gp)
    releaser = Releaser(
        deps,
        settings.sweep_interval_s,
        settings.unpublished_grace_s,
        settings.receipt_timeout_s,
        settings.claim_timeout_s,
    )
    drainer = OutboxDrainer(deps)
    register(broker, topology, deps, releaser)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        configure_logging("campaign")
        mongo.warn_if_standin()
        warn_if_insecure(settings)
        await mongo.ensure_indexes()
        await start_consuming(broker, topology, rpc)
        releaser.start()
        drainer.start()
        try:
            yield
        finally:
            await releaser.stop()
            await drainer.stop()
            await broker.stop()
            if gp is not None:
                await gp.close()
            if owns_mongo:
                await mongo.close()

    return worker_app(lifespan, "Cohort campaign", broker, {"mongodb": mongo.ping})
