"""``SendMessages`` against the real RabbitMQ: a crash mid-batch and its redelivery never send
any recipient twice; a batch that keeps failing is dead-lettered after the delivery limit."""

import asyncio

import pytest

from cohort_contracts.campaign_requests import ClaimMessages, RpcError
from cohort_contracts.routing import SEND_MESSAGES
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth
from cohort_platform.topology import Topology
from dispatch.config import Settings
from dispatch.entrypoints.app import running_consumer

from ..builders import make_send_messages
from ..fakes import FakeCampaignClaims, FakeSmsSender, fake_senders
from .campaign_double import campaign_double, dispatch_with_campaign
from .conftest import DELIVERY_LIMIT, eventually, wait_for_depth

pytestmark = pytest.mark.integration

SETTINGS = Settings(chunk_size=10, concurrency=4, sms_rate_limit=1000, retry_initial_backoff_s=0)


async def test_a_crash_mid_batch_and_its_redelivery_send_no_recipient_twice(
    rabbit: RabbitSettings,
) -> None:
    cmd = make_send_messages(60)
    ids = [m.recipient_id for m in cmd.messages]
    claims = FakeCampaignClaims(ids)
    sms = FakeSmsSender(crash_after=15)  # dies in the second chunk, once

    async with dispatch_with_campaign(
        rabbit, claims, settings=SETTINGS, senders=fake_senders(sms)
    ) as campaign:
        await campaign.send(SEND_MESSAGES, cmd)
        # First delivery reports chunk 1, then crashes; the redelivery reports all 6 chunks.
        await eventually(lambda: len(campaign.messages_sent) == 7)
        await asyncio.sleep(0.3)  # and no eighth follows
        assert len(campaign.messages_sent) == 7
        assert await queue_depth(rabbit, SEND_MESSAGES.queue) == 0
        assert await queue_depth(rabbit, f"{SEND_MESSAGES.queue}.dlq") == 0

    sent = sms.sent_ids
    assert len(sent) == len(set(sent)), "a recipient was messaged twice"
    assert claims.claims_per_recipient == dict.fromkeys(ids, 1)
    assert len(campaign.claim_requests) == 2 + 6  # the batch really was delivered twice
    second_chunk = set(ids[10:20])
    assert set(sent) - second_chunk == set(ids) - second_chunk
    sent_outcomes = [o.recipient_id for o in campaign.outcomes() if o.status == "sent"]
    assert sorted(sent_outcomes) == sorted(set(sent) - second_chunk)
    # What the crash swallowed is reported `not_claimed`, for campaign to settle by receipt.
    lost = second_chunk - set(sent_outcomes)
    assert lost
    assert all(o.status == "not_claimed" for o in campaign.outcomes() if o.recipient_id in lost)


async def test_a_batch_that_keeps_failing_is_dead_lettered_after_the_delivery_limit(
    rabbit: RabbitSettings,
) -> None:
    cmd = make_send_messages(3)
    claims = FakeCampaignClaims(m.recipient_id for m in cmd.messages)
    sms = FakeSmsSender()

    async with dispatch_with_campaign(
        rabbit, claims, settings=SETTINGS, senders=fake_senders(sms)
    ) as campaign:
        campaign.refuse_with = RpcError(code="unavailable", message="database down")
        await campaign.send(SEND_MESSAGES, cmd)
        # Each delivery asks for its claim a few times before giving the batch back.
        asked = (DELIVERY_LIMIT + 1) * SETTINGS.claim_attempts
        await eventually(lambda: len(campaign.claim_requests) == asked)
        await wait_for_depth(rabbit, f"{SEND_MESSAGES.queue}.dlq", 1)
        await asyncio.sleep(0.3)  # dead-lettered for good: no further delivery follows
        assert len(campaign.claim_requests) == asked

    assert sms.attempts == []
    assert campaign.messages_sent == []


async def test_a_batch_waiting_at_start_up_is_claimed_at_the_first_try(
    rabbit: RabbitSettings,
) -> None:
    # FastStream starts a broker's subscribers in no fixed order (it varies with the reply
    # queue's random name), so a few start-ups are tried; each must answer its first claim.
    for _ in range(5):
        cmd = make_send_messages(3)
        claims = FakeCampaignClaims(m.recipient_id for m in cmd.messages)
        senders = fake_senders()
        async with campaign_double(rabbit, claims) as campaign:
            await Topology(rabbit).declare(campaign.broker)
            await campaign.send(SEND_MESSAGES, cmd)  # waiting before dispatch starts
            async with running_consumer(SETTINGS, rabbit, senders):
                await eventually(lambda: len(campaign.messages_sent) == 1, within_s=4)
            assert len(campaign.claim_requests) == 1


class HeldClaims(FakeCampaignClaims):
    """Claims that wait until the test lets them through: a batch stays in the handler."""

    def __init__(self, queued: list[str]) -> None:
        super().__init__(queued)
        self.gate = asyncio.Event()

    async def claim(self, request: ClaimMessages) -> list[str]:
        await self.gate.wait()
        return await super().claim(request)


async def test_an_instance_holds_one_batch_at_a_time(rabbit: RabbitSettings) -> None:
    """The others wait in the queue, so an instance that dies gives back (and charges a
    delivery to) only the batch it was working on."""
    batches = [make_send_messages(3) for _ in range(3)]
    claims = HeldClaims([m.recipient_id for b in batches for m in b.messages])

    async with dispatch_with_campaign(rabbit, claims, settings=SETTINGS) as campaign:
        for batch in batches:
            await campaign.send(SEND_MESSAGES, batch)
        await eventually(lambda: len(campaign.claim_requests) == 1)
        await wait_for_depth(rabbit, SEND_MESSAGES.queue, 2)

        claims.gate.set()
        await eventually(lambda: len(campaign.messages_sent) == 3)
        assert await queue_depth(rabbit, SEND_MESSAGES.queue) == 0
