"""The process: health endpoints over HTTP, the consumer in the lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.rabbit import RabbitBroker
from starlette.applications import Starlette

from cohort_platform.health import service_app
from cohort_platform.logs import configure_logging
from cohort_platform.settings import RabbitSettings

from .. import bootstrap
from ..config import Settings
from .consumer import running_consumer
from .credit_watch import CreditWatch

log = logging.getLogger("dispatch")


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

    async def broker_ready() -> bool:
        broker = running.get("broker")
        return broker is not None and await broker.ping(timeout=1.0)

    return service_app(
        lifespan,
        checks={"broker": broker_ready},
        asyncapi=("Cohort dispatch", lambda: running.get("broker")),
    )
