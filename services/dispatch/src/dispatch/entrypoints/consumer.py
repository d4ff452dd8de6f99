"""FastStream subscribers: decode a contract model, call one handler, settle the message
(``redeliver_on_error``: errors requeue up to the delivery limit, ``PermanentError`` and invalid
payloads dead-letter at once)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import FIRETEXT_RECEIPTS, SEND_MESSAGES
from cohort_contracts.sending import ProcessFiretextReceipt, SendMessages
from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .. import bootstrap
from ..adapters.campaign_claims import RpcCampaignClaims
from ..adapters.rabbit_publisher import RabbitEventPublisher
from ..config import Settings
from ..handlers import SendingDeps, process_firetext_receipt, send_messages


def register(broker: RabbitBroker, topology: Topology, deps: SendingDeps) -> None:
    @broker.subscriber(topology.queue(SEND_MESSAGES), topology.exchange(SEND_MESSAGES.exchange))
    @redeliver_on_error
    async def on_send_messages(cmd: SendMessages) -> None:
        await send_messages(cmd, deps)

    @broker.subscriber(
        topology.queue(FIRETEXT_RECEIPTS), topology.exchange(FIRETEXT_RECEIPTS.exchange)
    )
    @redeliver_on_error
    async def on_firetext_receipt(cmd: ProcessFiretextReceipt) -> None:
        await process_firetext_receipt(cmd, deps.events)


@asynccontextmanager
async def running_consumer(
    settings: Settings, rabbit: RabbitSettings, senders: bootstrap.Senders
) -> AsyncIterator[RabbitBroker]:
    """Consumes until the context exits; ``broker.stop()`` lets in-flight handlers finish and
    leaves unacked messages to be redelivered."""
    broker = make_broker(rabbit, prefetch=settings.prefetch)
    topology = Topology(rabbit)
    rpc = RpcClient(broker, topology, caller="dispatch", timeout=rabbit.cohort_rpc_timeout_s)
    rpc.attach()
    events = RabbitEventPublisher(broker, topology)
    register(
        broker, topology, bootstrap.sending_deps(settings, senders, RpcCampaignClaims(rpc), events)
    )
    # Declare every queue and its dead-letter queue before consuming: a message rejected while
    # its DLQ did not exist yet would be dropped.
    await start_consuming(broker, topology)
    try:
        yield broker
    finally:
        await broker.stop()
