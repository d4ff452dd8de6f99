"""Campaign's side of the conversation, faked on the real broker: answers ``ClaimMessages`` on
the real ``campaign.requests`` queue with in-memory queued → sending semantics, collects what
dispatch publishes to campaign's queues, and asks dispatch for credit as campaign does."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from cohort_contracts.campaign_requests import ClaimMessages, RpcError, RpcReply, read_reply
from cohort_contracts.campaign_views import ClaimResult
from cohort_contracts.dispatch_requests import CreditBalance, GetCredit
from cohort_contracts.envelope import Message
from cohort_contracts.routing import (
    CAMPAIGN_REQUESTS,
    DELIVERY_REPORTED,
    DISPATCH_REQUESTS,
    MESSAGES_SENT,
    REPLY_RECEIVED,
    Route,
)
from cohort_contracts.sending import DeliveryReported, MessagesSent, ReplyReceived, SendOutcome
from cohort_platform.broker import make_broker, publish
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from dispatch.bootstrap import Senders
from dispatch.config import Settings
from dispatch.entrypoints.app import running_consumer

from ..fakes import FakeCampaignClaims, fake_senders


class CampaignDouble:
    def __init__(self, rabbit: RabbitSettings, claims: FakeCampaignClaims) -> None:
        self.claims = claims
        self.refuse_with: RpcError | None = None
        self.claim_requests: list[ClaimMessages] = []
        self.messages_sent: list[MessagesSent] = []
        self.delivery_reported: list[DeliveryReported] = []
        self.replies: list[ReplyReceived] = []
        self.topology = Topology(rabbit)
        self.broker = make_broker(rabbit)
        topology = self.topology
        self.rpc = RpcClient(self.broker, topology, caller="campaign", timeout=5.0)
        self.rpc.attach()

        @self.broker.subscriber(*topology.subscription(CAMPAIGN_REQUESTS))
        async def answer(request: ClaimMessages) -> RpcReply[ClaimResult]:
            self.claim_requests.append(request)
            if self.refuse_with is not None:
                return RpcReply[ClaimResult](error=self.refuse_with)
            return RpcReply[ClaimResult](result=ClaimResult(claimed=await claims.claim(request)))

        @self.broker.subscriber(*topology.subscription(MESSAGES_SENT))
        async def on_sent(event: MessagesSent) -> None:
            self.messages_sent.append(event)

        @self.broker.subscriber(*topology.subscription(DELIVERY_REPORTED))
        async def on_reported(event: DeliveryReported) -> None:
            self.delivery_reported.append(event)

        @self.broker.subscriber(*topology.subscription(REPLY_RECEIVED))
        async def on_reply(event: ReplyReceived) -> None:
            self.replies.append(event)

    async def credit(self, org_id: str) -> RpcReply[CreditBalance]:
        request = GetCredit(correlation_id=uuid.uuid4(), org_id=org_id, actor="campaign")
        return read_reply(await self.rpc.call(request, DISPATCH_REQUESTS), CreditBalance)

    async def send(self, route: Route, message: Message) -> None:
        await publish(self.broker, self.topology, route, message)

    async def send_raw(self, route: Route, body: dict[str, object]) -> None:
        await self.broker.publish(
            body,
            exchange=self.topology.exchange(route.exchange),
            routing_key=route.routing_key,
            persist=True,
        )

    def outcomes(self) -> list[SendOutcome]:
        return [o for event in self.messages_sent for o in event.outcomes]


@asynccontextmanager
async def campaign_double(
    rabbit: RabbitSettings, claims: FakeCampaignClaims
) -> AsyncIterator[CampaignDouble]:
    double = CampaignDouble(rabbit, claims)
    await double.broker.start()
    try:
        yield double
    finally:
        await double.broker.stop()


@asynccontextmanager
async def dispatch_with_campaign(
    rabbit: RabbitSettings,
    claims: FakeCampaignClaims | None = None,
    *,
    settings: Settings | None = None,
    senders: Senders | None = None,
) -> AsyncIterator[CampaignDouble]:
    """Dispatch consuming on the real broker (its providers faked unless ``senders`` are given),
    with campaign's double beside it answering claims and collecting what dispatch reports."""
    async with (
        running_consumer(settings or Settings(), rabbit, senders or fake_senders()),
        campaign_double(rabbit, claims or FakeCampaignClaims()) as campaign,
    ):
        yield campaign
