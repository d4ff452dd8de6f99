"""The subscribers on FastStream's in-memory ``TestRabbitBroker``: the real routes, topology
and publisher, with fake providers and a fake campaign claim."""

from collections.abc import AsyncIterator

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker
from pydantic import ValidationError

from cohort_contracts.campaign_requests import read_reply
from cohort_contracts.dispatch_requests import CreditBalance
from cohort_contracts.routing import (
    DELIVERY_REPORTED,
    DISPATCH_REQUESTS,
    FIRETEXT_INBOUND,
    FIRETEXT_RECEIPTS,
    MESSAGES_SENT,
    REPLY_RECEIVED,
    SEND_MESSAGES,
)
from cohort_contracts.sending import DeliveryReported, MessagesSent, ReplyReceived
from cohort_platform.broker import RabbitPublisher, make_broker, publish
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from dispatch.entrypoints.consumer import register

from ..builders import ORG, make_get_credit, make_inbound, make_receipt, make_send_messages
from ..conftest import World
from ..replies import refusal


class Harness:
    def __init__(self, world: World) -> None:
        self.world = world
        self.topology = Topology(RabbitSettings(cohort_namespace="unit"))
        self.broker: RabbitBroker = make_broker(RabbitSettings())
        self.sent_events: list[MessagesSent] = []
        self.delivery_events: list[DeliveryReported] = []
        self.replies: list[ReplyReceived] = []
        world.events = RabbitPublisher(self.broker, self.topology)  # type: ignore[assignment]
        register(self.broker, self.topology, world.service_deps)
        self.rpc = RpcClient(self.broker, self.topology, caller="campaign", timeout=1.0)
        self.rpc.attach()

        @self.broker.subscriber(*self.topology.subscription(REPLY_RECEIVED))
        async def on_reply(event: ReplyReceived) -> None:
            self.replies.append(event)

        @self.broker.subscriber(*self.topology.subscription(MESSAGES_SENT))
        async def on_sent(event: MessagesSent) -> None:
            self.sent_events.append(event)

        @self.broker.subscriber(
            *self.topology.subscription(DELIVERY_REPORTED),
        )
        async def on_reported(event: DeliveryReported) -> None:
            self.delivery_events.append(event)


@pytest.fixture
async def harness(world: World) -> AsyncIterator[Harness]:
    h = Harness(world)
    async with TestRabbitBroker(h.broker):
        yield h


async def test_send_messages_is_claimed_sent_and_reported_per_chunk(harness: Harness) -> None:
    world = harness.world
    cmd = make_send_messages(30)
    world.claims.status.update(dict.fromkeys((m.recipient_id for m in cmd.messages), "queued"))

    await publish(harness.broker, harness.topology, SEND_MESSAGES, cmd)

    assert len(world.sms.sent) == 30
    assert [len(e.outcomes) for e in harness.sent_events] == [30]
    assert all(e.correlation_id == cmd.correlation_id for e in harness.sent_events)
    assert {o.status for e in harness.sent_events for o in e.outcomes} == {"sent"}


async def test_a_firetext_receipt_becomes_delivery_reported(harness: Harness) -> None:
    cmd = make_receipt(status="1", code="102", reference="r-7")

    await publish(harness.broker, harness.topology, FIRETEXT_RECEIPTS, cmd)

    (event,) = harness.delivery_events
    assert (event.recipient_id, event.status) == ("r-7", "failed")
    assert event.correlation_id == cmd.correlation_id


async def test_a_malformed_command_never_reaches_the_handler(harness: Harness) -> None:
    with pytest.raises(ValidationError):
        await harness.broker.publish(
            {"kind": "SendMessages", "messages": "not a list"},
            exchange=harness.topology.exchange(SEND_MESSAGES.exchange),
            routing_key=SEND_MESSAGES.routing_key,
        )

    assert harness.world.claims.requests == []
    assert harness.sent_events == []


async def test_a_failed_claim_sends_and_reports_nothing(harness: Harness) -> None:
    harness.world.claims.fail_with = TimeoutError()

    await publish(harness.broker, harness.topology, SEND_MESSAGES, make_send_messages(2))

    assert harness.world.sms.attempts == []
    assert harness.sent_events == []


async def test_a_firetext_reply_becomes_reply_received(harness: Harness) -> None:
    cmd = make_inbound(source="+44 7700 900123")

    await publish(harness.broker, harness.topology, FIRETEXT_INBOUND, cmd)

    (event,) = harness.replies
    assert (event.from_number, event.message) == ("447700900123", cmd.message)
    assert event.correlation_id == cmd.correlation_id


async def test_credit_is_answered_over_request_reply(harness: Harness) -> None:
    harness.world.credit.credits = 4321
    request = make_get_credit()

    reply = read_reply(await harness.rpc.call(request, DISPATCH_REQUESTS), CreditBalance)

    assert reply.error is None
    assert reply.result == CreditBalance(provider="fake", credits=4321)
    assert harness.world.credit.asked == [ORG]


async def test_credit_unavailable_is_an_error_reply(harness: Harness) -> None:
    harness.world.credit.unavailable = "Firetext could not be reached."
    request = make_get_credit()

    reply = read_reply(await harness.rpc.call(request, DISPATCH_REQUESTS), CreditBalance)

    assert refusal(reply) == ("unavailable", "Firetext could not be reached.")
