"""Requests and replies nobody waits for any more, on the real RabbitMQ: dropped and counted,
never dead-lettered. The chaos run found five of each kind in ``campaign.requests.dlq`` around a
broker restart: requests that outlived their asker's timeout (then a per-message TTL, which
RabbitMQ dead-letters as ``expired``), and requests answered after their asker's reply queue had
gone (the reply was unroutable, FastStream rejected the request: ``rejected``)."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import pytest
from faststream.rabbit import RabbitBroker
from prometheus_client import REGISTRY

from cohort_contracts.campaign_requests import GetCampaign
from cohort_contracts.routing import CAMPAIGN_REQUESTS
from cohort_platform.broker import make_broker, start_consuming
from cohort_platform.rpc import RpcClient, RpcTimeout
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth, rabbit_namespace
from cohort_platform.topology import Topology

pytestmark = pytest.mark.integration
DLQ = f"{CAMPAIGN_REQUESTS.queue}.dlq"


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(rabbitmq_url) as settings:
        yield settings


def abandoned(what: str) -> float:
    return REGISTRY.get_sample_value("cohort_rpc_abandoned_total", {"what": what}) or 0.0


def request() -> GetCampaign:
    return GetCampaign(correlation_id=uuid4(), org_id="A81001", actor="user-1", campaign_id=uuid4())


class Answerer:
    """The answering service: a broker like every service's, answering campaign requests."""

    def __init__(self, settings: RabbitSettings, delay_s: float = 0.0) -> None:
        self.topology = Topology(settings)
        self.broker: RabbitBroker = make_broker(settings)
        self.taken: list[str] = []
        self.handled: list[str] = []
        route = CAMPAIGN_REQUESTS

        @self.broker.subscriber(*self.topology.subscription(route))
        async def on_request(body: dict[str, Any]) -> dict[str, Any]:
            self.taken.append(body["message_id"])
            await asyncio.sleep(delay_s)
            self.handled.append(body["message_id"])
            return {"ok": True}

    async def start(self) -> None:
        await start_consuming(self.broker, self.topology)

    async def stop(self) -> None:
        await self.broker.stop()


async def asker(settings: RabbitSettings, wait_s: float) -> tuple[RabbitBroker, RpcClient]:
    topology = Topology(settings)
    broker = make_broker(settings)
    rpc = RpcClient(broker, topology, caller="test", timeout=wait_s)
    rpc.attach()
    await start_consuming(broker, topology, rpc)
    return broker, rpc


async def test_a_request_outliving_its_askers_timeout_is_dropped_not_dead_lettered(
    rabbit: RabbitSettings,
) -> None:
    broker, rpc = await asker(rabbit, wait_s=0.3)
    try:
        # Nobody answers in time (the answering service is down)...
        with pytest.raises(RpcTimeout):
            await rpc.call(request(), CAMPAIGN_REQUESTS)
        await asyncio.sleep(0.3)  # well past the deadline: a TTL would have expired it here
        before = abandoned("request")
        # ...and when it comes back, the request is taken and dropped unhandled.
        answerer = Answerer(rabbit)
        await answerer.start()
        try:

            async def drained() -> bool:
                return await queue_depth(rabbit, CAMPAIGN_REQUESTS.queue) == 0

            await eventually(drained)
            await eventually(lambda: holds(abandoned("request") == before + 1))
            assert answerer.taken == []
            assert await queue_depth(rabbit, DLQ) == 0
            # A request in time is answered as ever.
            assert b"ok" in await rpc.call(request(), CAMPAIGN_REQUESTS)
        finally:
            await answerer.stop()
    finally:
        await broker.stop()


async def test_a_reply_to_an_asker_that_has_gone_is_dropped_and_its_request_not_dead_lettered(
    rabbit: RabbitSettings,
) -> None:
    answerer = Answerer(rabbit, delay_s=0.5)
    await answerer.start()
    try:
        broker, rpc = await asker(rabbit, wait_s=5)
        call = asyncio.create_task(rpc.call(request(), CAMPAIGN_REQUESTS))
        before = abandoned("reply")
        await eventually(lambda: holds(bool(answerer.taken)))
        # The asker goes (its process restarts) while the request is being handled: its
        # exclusive reply queue goes with its connection.
        await broker.stop()
        call.cancel()
        await eventually(lambda: holds(abandoned("reply") == before + 1))
        assert len(answerer.handled) == 1
        await asyncio.sleep(0.3)  # a rejected request would be in the DLQ by now
        assert await queue_depth(rabbit, DLQ) == 0
        assert await queue_depth(rabbit, CAMPAIGN_REQUESTS.queue) == 0
    finally:
        await answerer.stop()


async def holds(value: bool) -> bool:
    """For ``eventually``: a condition on this process's own state, polled."""
    return value
