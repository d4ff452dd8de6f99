"""FastStream subscribers: decode a contract model, call one handler, settle the message
(``redeliver_on_error``: errors requeue up to the delivery limit, ``PermanentError`` and invalid
payloads dead-letter at once)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from faststream.rabbit import RabbitBroker, RabbitExchange, RabbitQueue

from cohort_contracts.campaign_requests import RpcReply
from cohort_contracts.dispatch_requests import CreditBalance, GetCredit
from cohort_contracts.routing import (
    DISPATCH_REQUESTS,
    FIRETEXT_INBOUND,
    FIRETEXT_RECEIPTS,
    SEND_MESSAGES,
    Route,
)
from cohort_contracts.sending import (
    FiretextReceiptCommand,
    ProcessFiretextInbound,
    ProcessFiretextReceipts,
    SendMessages,
)
from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.rate_limiter import TokenBucket
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .. import bootstrap
from ..adapters.campaign_claims import RpcCampaignClaims
from ..adapters.rabbit_publisher import RabbitEventPublisher
from ..config import Settings
from ..handlers import (
    SendingDeps,
    get_credit,
    process_firetext_inbound,
    process_firetext_receipt,
    process_firetext_receipts,
    send_messages,
)
from ..ports import CreditSource


@dataclass(frozen=True)
class Deps:
    sending: SendingDeps
    credit: CreditSource


def register(broker: RabbitBroker, topology: Topology, deps: Deps) -> None:
    def route_args(route: Route) -> tuple[RabbitQueue, RabbitExchange]:
        return topology.queue(route), topology.exchange(route.exchange)

    @broker.subscriber(*route_args(SEND_MESSAGES))
    @redeliver_on_error
    async def on_send_messages(cmd: SendMessages) -> None:
        await send_messages(cmd, deps.sending)

    @broker.subscriber(*route_args(FIRETEXT_RECEIPTS))
    @redeliver_on_error
    async def on_firetext_receipt(cmd: FiretextReceiptCommand) -> None:
        if isinstance(cmd, ProcessFiretextReceipts):
            await process_firetext_receipts(cmd, deps.sending.events)
        else:
            await process_firetext_receipt(cmd, deps.sending.events)

    @broker.subscriber(*route_args(FIRETEXT_INBOUND))
    @redeliver_on_error
    async def on_firetext_inbound(cmd: ProcessFiretextInbound) -> None:
        await process_firetext_inbound(cmd, deps.sending.events)

    @broker.subscriber(*route_args(DISPATCH_REQUESTS))
    @redeliver_on_error
    async def on_request(request: GetCredit) -> RpcReply[CreditBalance]:
        return await get_credit(request, deps.credit)


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
    events = RabbitEventPublisher(broker, topology)
    sms_limiter = TokenBucket(settings.sms_rate_limit)
    counter = bootstrap.send_queue_counter(rabbit)
    sharer = bootstrap.sms_rate_sharer(settings, sms_limiter, counter)
    sending = bootstrap.sending_deps(settings, senders, RpcCampaignClaims(rpc), events, sms_limiter)
    register(broker, topology, Deps(sending=sending, credit=senders.credit))
    try:
        await rpc_broker.start()
        # Declare every queue and its dead-letter queue before consuming: a message rejected
        # while its DLQ did not exist yet would be dropped.
        await start_consuming(broker, topology)
        # Counts this instance's consumer on the send queue, which has just been attached.
        await sharer.start()
        yield broker
    finally:
        # Before the broker: while in-flight batches drain, this instance keeps its last SMS
        # share instead of counting itself out and taking more.
        await sharer.stop()
        await broker.stop()  # in-flight batches finish, and may still claim
        await rpc_broker.stop()
        await counter.aclose()
