"""The process: health endpoints over HTTP, the consumer and the credit watch in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.rabbit import RabbitBroker
from starlette.applications import Starlette

from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.health import broker_ready, service_app
from cohort_platform.logs import configure_logging
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .. import bootstrap
from ..config import Settings
from .consumer import register
from .credit_watch import CreditWatch

log = logging.getLogger("dispatch")


@asynccontextmanager
async def running_consumer(
    settings: Settings, rabbit: RabbitSettings, senders: bootstrap.Senders
) -> AsyncIterator[RabbitBroker]:
    """Consumes until the context exits; ``broker.stop()`` lets in-flight handlers finish and
    leaves unacked messages to be redelivered."""
    broker = make_broker(rabbit, prefetch=settings.prefetch)
    topology = Topology(rabbit)
    # Claims go over a connection of their own, started first: FastStream starts one broker's
    # subscribers in no fixed order, so a batch waiting in the queue at start-up could be
    # consumed before the reply queue exists, and its first claim's answer would be lost (an
    # RPC timeout and a wasted delivery).
    rpc_broker = make_broker(rabbit)
    rpc = RpcClient(rpc_broker, topology, caller="dispatch", timeout=rabbit.cohort_rpc_timeout_s)
    rpc.attach()
    adapters = bootstrap.consumer_adapters(settings, rabbit, senders, broker, topology, rpc)
    register(broker, topology, adapters.deps, send_prefetch=settings.send_prefetch)
    try:
        await rpc_broker.start()
        # Declare every queue and its dead-letter queue before consuming: a message rejected
        # while its DLQ did not exist yet would be dropped.
        await start_consuming(broker, topology)
        # Counts this instance's consumer on the send queue, which has just been attached.
        await adapters.sms_sharer.start()
        yield broker
    finally:
        # Before the broker: while in-flight batches drain, this instance keeps its last SMS
        # share instead of counting itself out and taking more.
        await adapters.sms_sharer.stop()
        await broker.stop()  # in-flight batches finish, and may still claim
        await rpc_broker.stop()
        await adapters.aclose()


def create_app(settings: Settings | None = None, rabbit: RabbitSettings | None = None) -> Starlette:
    settings = settings or Settings()
    rabbit = rabbit or RabbitSettings()
    running: dict[str, RabbitBroker] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        configure_logging("dispatch", settings.log_level)
        if settings.uses_dev_secrets:
            log.warning("DISPATCH_WEBHOOK_SECRET is the development default: not for production")
        async with (
            bootstrap.open_senders(settings) as senders,
            running_consumer(settings, rabbit, senders) as broker,
        ):
            running["broker"] = broker
            watch = CreditWatch(
                senders.credit, settings.firetext_accounts, settings.credit_check_interval_s
            )
            watch.start()
            log.info(
                "dispatch started",
                extra={
                    "sms_provider": settings.sms_provider,
                    "email_provider": settings.email_provider,
                },
            )
            try:
                yield
            finally:
                await watch.stop()
                running.clear()

    # The broker exists only while the lifespan runs (it is built with the senders).
    def current_broker() -> RabbitBroker | None:
        return running.get("broker")

    return service_app(
        lifespan,
        checks={"broker": broker_ready(current_broker, timeout_s=1.0)},
        asyncapi=("Cohort dispatch", current_broker),
    )
