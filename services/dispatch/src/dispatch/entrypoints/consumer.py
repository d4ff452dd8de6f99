"""FastStream subscribers: decode a contract model, call one handler, settle the message
(``redeliver_on_error``: errors requeue up to the delivery limit, ``PermanentError`` and invalid
payloads dead-letter at once)."""

from faststream.rabbit import Channel, RabbitBroker

from cohort_contracts.campaign_requests import RpcReply
from cohort_contracts.dispatch_requests import CreditBalance, GetCredit
from cohort_contracts.routing import (
    DISPATCH_REQUESTS,
    FIRETEXT_INBOUND,
    FIRETEXT_RECEIPTS,
    SEND_MESSAGES,
)
from cohort_contracts.sending import (
    FiretextReceiptCommand,
    ProcessFiretextInbound,
    ProcessFiretextReceipts,
    SendMessages,
)
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers import (
    Deps,
    get_credit,
    process_firetext_inbound,
    process_firetext_receipt,
    process_firetext_receipts,
    send_messages,
)


def register(
    broker: RabbitBroker, topology: Topology, deps: Deps, *, send_prefetch: int = 1
) -> None:
    # Batches on a channel of their own, few at a time: RabbitMQ 3.x quorum queues count every
    # message a dying consumer held towards the delivery limit, begun or not, so batches
    # prefetched and never begun would be dead-lettered after a few crashes and restarts.
    # One batch keeps the provider busy (the calls of its chunks run concurrently).
    @broker.subscriber(
        *topology.subscription(SEND_MESSAGES),
        channel=Channel(prefetch_count=send_prefetch, on_return_raises=True),
    )
    @redeliver_on_error
    async def on_send_messages(cmd: SendMessages) -> None:
        await send_messages(cmd, deps.sending)

    @broker.subscriber(*topology.subscription(FIRETEXT_RECEIPTS))
    @redeliver_on_error
    async def on_firetext_receipt(cmd: FiretextReceiptCommand) -> None:
        if isinstance(cmd, ProcessFiretextReceipts):
            await process_firetext_receipts(cmd, deps.sending.events)
        else:
            await process_firetext_receipt(cmd, deps.sending.events)

    @broker.subscriber(*topology.subscription(FIRETEXT_INBOUND))
    @redeliver_on_error
    async def on_firetext_inbound(cmd: ProcessFiretextInbound) -> None:
        await process_firetext_inbound(cmd, deps.sending.events)

    @broker.subscriber(*topology.subscription(DISPATCH_REQUESTS))
    @redeliver_on_error
    async def on_request(request: GetCredit) -> RpcReply[CreditBalance]:
        return await get_credit(request, deps.credit)
