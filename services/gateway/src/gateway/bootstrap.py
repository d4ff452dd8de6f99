"""The only place that builds real adapters: broker, RPC client to campaign, publisher."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from faststream.rabbit import RabbitBroker

from cohort_platform.broker import make_broker
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .adapters.campaign_rpc import RpcCampaignClient
from .adapters.rabbit_publisher import RabbitPublisher
from .config import GatewaySettings
from .handlers.patient_lists import UploadLimits
from .ports import CampaignClient, Publisher

READY_TIMEOUT_S = 1.0


@dataclass(frozen=True)
class Wiring:
    settings: GatewaySettings
    campaign: CampaignClient
    publisher: Publisher
    broker_ready: Callable[[], Awaitable[bool]]

    @property
    def limits(self) -> UploadLimits:
        return UploadLimits(
            max_rows=self.settings.max_rows,
            batch_size=self.settings.batch_size,
            publish_window=self.settings.publish_window,
        )


@asynccontextmanager
async def running_gateway(
    settings: GatewaySettings,
    rabbit: RabbitSettings,
    *,
    broker: RabbitBroker | None = None,
    campaign: CampaignClient | None = None,
) -> AsyncIterator[Wiring]:
    """Start the broker (with the RPC reply subscriber) and stop it on exit. Tests pass their
    own ``broker`` (e.g. under ``TestRabbitBroker``) and/or a fake ``campaign``."""
    topology = Topology(rabbit)
    broker = broker if broker is not None else make_broker(rabbit)
    if campaign is None:
        rpc = RpcClient(broker, topology, caller="gateway", timeout=rabbit.cohort_rpc_timeout_s)
        rpc.attach()  # the reply queue's subscriber must exist before the broker starts
        campaign = RpcCampaignClient(rpc)
    started = broker

    async def broker_ready() -> bool:
        return await started.ping(timeout=READY_TIMEOUT_S)

    await broker.start()
    try:
        await topology.declare(broker)
        yield Wiring(settings, campaign, RabbitPublisher(broker, topology), broker_ready)
    finally:
        await broker.stop()
