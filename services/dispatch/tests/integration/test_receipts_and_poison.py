"""Receipts and poison messages against the real RabbitMQ."""

import asyncio

import pytest

from cohort_contracts.routing import FIRETEXT_INBOUND, FIRETEXT_RECEIPTS, SEND_MESSAGES, Route
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth
from cohort_platform.topology import Topology
from cohort_testing.rabbit import rabbit_channel

from ..builders import make_receipt
from .campaign_double import dispatch_with_campaign
from .conftest import eventually, wait_for_depth

pytestmark = pytest.mark.integration


async def dead_letter_reason(rabbit: RabbitSettings, route: Route) -> str:
    async with rabbit_channel(rabbit.rabbitmq_url) as channel:
        queue = await channel.get_queue(Topology(rabbit).name(f"{route.queue}.dlq"), ensure=False)
        message = await queue.get(no_ack=False, fail=True)
        assert message is not None
        await message.nack(requeue=True)
        return str(message.headers["x-first-death-reason"])


async def test_a_receipt_delivered_twice_yields_two_identical_events_and_nothing_else(
    rabbit: RabbitSettings,
) -> None:
    receipt = make_receipt(status="1", code="101", reference="r-9")

    async with dispatch_with_campaign(rabbit) as campaign:
        await campaign.send(FIRETEXT_RECEIPTS, receipt)
        await campaign.send(FIRETEXT_RECEIPTS, receipt)
        await eventually(lambda: len(campaign.delivery_reported) == 2)
        await asyncio.sleep(0.3)  # and no third, nor anything else, follows

        first, second = campaign.delivery_reported
        assert first == second
        assert (first.recipient_id, first.status) == ("r-9", "failed")
        assert campaign.messages_sent == []
        assert campaign.claim_requests == []
        assert await queue_depth(rabbit, f"{FIRETEXT_RECEIPTS.queue}.dlq") == 0


@pytest.mark.parametrize(
    ("route", "body"),
    [
        (SEND_MESSAGES, {"kind": "SendMessages", "org_id": "A81001", "messages": "x"}),
        (FIRETEXT_RECEIPTS, {"kind": "ProcessFiretextReceipt", "status": "0"}),
        (FIRETEXT_INBOUND, {"kind": "ProcessFiretextInbound", "message": "hi"}),
    ],
)
async def test_a_malformed_command_is_dead_lettered_at_once(
    rabbit: RabbitSettings, route: Route, body: dict[str, object]
) -> None:
    async with dispatch_with_campaign(rabbit) as campaign:
        await campaign.send_raw(route, body)
        await wait_for_depth(rabbit, f"{route.queue}.dlq", 1)
        assert campaign.claim_requests == []
        assert campaign.messages_sent == []
        assert campaign.delivery_reported == []

    assert await dead_letter_reason(rabbit, route) == "rejected"


async def test_an_uninterpretable_receipt_is_dead_lettered_without_retries(
    rabbit: RabbitSettings,
) -> None:
    async with dispatch_with_campaign(rabbit) as campaign:
        await campaign.send(FIRETEXT_RECEIPTS, make_receipt(status="9"))
        await wait_for_depth(rabbit, f"{FIRETEXT_RECEIPTS.queue}.dlq", 1)
        assert campaign.delivery_reported == []

    # `rejected` (PermanentError), not `delivery_limit`: no pointless redeliveries.
    assert await dead_letter_reason(rabbit, FIRETEXT_RECEIPTS) == "rejected"
