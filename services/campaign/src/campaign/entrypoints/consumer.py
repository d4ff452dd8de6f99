"""FastStream subscribers: decode, call one handler, let the platform settle the message."""

from typing import Any

from faststream.rabbit import RabbitBroker

from cohort_contracts.campaign_requests import (
    CampaignRequest,
    RpcReply,
)
from cohort_contracts.ingest import PatientsRechecked, RowsResolved
from cohort_contracts.record import RecordStatusChanged
from cohort_contracts.routing import (
    CAMPAIGN_REQUESTS,
    DELIVERY_REPORTED,
    MESSAGES_SENT,
    PATIENTS_RECHECKED,
    RECORD_STATUS,
    REPLY_RECEIVED,
    ROWS_RESOLVED,
)
from cohort_contracts.sending import (
    DeliveryEvent,
    MessagesSent,
    ReplyReceived,
)
from cohort_platform.redelivery import redeliver_on_error
from cohort_platform.topology import Topology

from ..handlers import lists, outcomes, receipts, rechecks, record_status, replies, requests
from ..handlers.deps import Deps
from .releaser import Releaser


def register(broker: RabbitBroker, topology: Topology, deps: Deps, releaser: Releaser) -> None:
    @broker.subscriber(*topology.subscription(CAMPAIGN_REQUESTS))
    @redeliver_on_error
    async def on_request(request: CampaignRequest) -> RpcReply[Any]:
        reply = await requests.answer(request, deps)
        if reply.error is None:
            await releaser.after(request)
        return reply

    @broker.subscriber(*topology.subscription(ROWS_RESOLVED))
    @redeliver_on_error
    async def on_rows_resolved(event: RowsResolved) -> None:
        await lists.record_resolved_rows(event, deps)

    @broker.subscriber(*topology.subscription(PATIENTS_RECHECKED))
    @redeliver_on_error
    async def on_patients_rechecked(event: PatientsRechecked) -> None:
        await _record_rechecks(event, deps, releaser)

    @broker.subscriber(*topology.subscription(MESSAGES_SENT))
    @redeliver_on_error
    async def on_messages_sent(event: MessagesSent) -> None:
        await outcomes.record_messages_sent(event, deps)

    @broker.subscriber(*topology.subscription(REPLY_RECEIVED))
    @redeliver_on_error
    async def on_reply(event: ReplyReceived) -> None:
        await replies.record_reply(event, deps)

    @broker.subscriber(*topology.subscription(DELIVERY_REPORTED))
    @redeliver_on_error
    async def on_delivery(event: DeliveryEvent) -> None:
        await receipts.record_reports(event, deps)

    @broker.subscriber(*topology.subscription(RECORD_STATUS))
    @redeliver_on_error
    async def on_record_status(event: RecordStatusChanged) -> None:
        await record_status.record_record_status(event, deps)


async def _record_rechecks(event: PatientsRechecked, deps: Deps, releaser: Releaser) -> None:
    await rechecks.record_rechecks(event, deps)
    # Those PDS confirmed may go now rather than at the next sweep.
    campaign = await deps.campaigns.get(event.org_id, event.campaign_id)
    if campaign is not None:
        releaser.kick(campaign)
