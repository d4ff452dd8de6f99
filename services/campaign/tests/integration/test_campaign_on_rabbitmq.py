"""The campaign process against the real RabbitMQ: requests, idempotent events, dead letters."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TypeVar

import pytest
from faststream.rabbit import RabbitBroker
from pydantic import BaseModel

from campaign.adapters.mongo_campaigns import MongoCampaignRepository
from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_store_deps
from campaign.config import CampaignSettings
from campaign.domain.model import Campaign
from campaign.entrypoints.app import create_app
from campaign.entrypoints.consumer import register
from campaign.entrypoints.releaser import Releaser
from cohort_contracts.campaign_requests import (
    CreateCampaign,
    GetPatientList,
    RegisterPatientList,
    RpcReply,
    read_reply,
)
from cohort_contracts.campaign_views import CampaignView, PatientListView
from cohort_contracts.envelope import Message
from cohort_contracts.routing import CAMPAIGN_REQUESTS, ROWS_RESOLVED
from cohort_platform.broker import make_broker, publish
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import eventually, queue_depth, rabbit_namespace
from cohort_platform.topology import Topology

from ..builders import ORG, make_renderer, outcome, rows_resolved
from ..fakes import FakeCreditSource, FakePublisher

pytestmark = pytest.mark.integration

T = TypeVar("T", bound=BaseModel)


async def ask(rpc: RpcClient, request: Message, result_type: type[T]) -> RpcReply[T]:
    return read_reply(await rpc.call(request, CAMPAIGN_REQUESTS), result_type)


@pytest.fixture
async def rabbit(rabbitmq_url: str) -> AsyncIterator[RabbitSettings]:
    async with rabbit_namespace(rabbitmq_url, cohort_delivery_limit=2) as settings:
        yield settings


@pytest.fixture
async def client(rabbit: RabbitSettings) -> AsyncIterator[tuple[RabbitBroker, RpcClient]]:
    # Sends at any hour: quiet hours are proved by their own tests.
    app = create_app(CampaignSettings(sweep_interval_s=0.2, quiet_hours="off"), rabbit)
    broker = make_broker(rabbit)
    rpc = RpcClient(broker, Topology(rabbit), caller="test", timeout=5)
    rpc.attach()
    async with app.router.lifespan_context(app):
        await broker.start()
        try:
            yield broker, rpc
        finally:
            await broker.stop()


async def test_a_redelivered_event_changes_nothing_twice(
    rabbit: RabbitSettings, client: tuple[RabbitBroker, RpcClient]
) -> None:
    broker, rpc = client
    created = await ask(
        rpc,
        CreateCampaign(
            correlation_id=uuid.uuid4(), org_id=ORG, actor="u", name="Flu", type="basic"
        ),
        CampaignView,
    )
    assert created.result is not None
    campaign_id, list_id = created.result.id, uuid.uuid4()
    registered = await ask(
        rpc,
        RegisterPatientList(
            correlation_id=uuid.uuid4(),
            org_id=ORG,
            actor="u",
            campaign_id=campaign_id,
            list_id=list_id,
            channel="sms",
            filename="a.csv",
            columns=["NHS Number", "DOB", "x"],
            total_rows=3,
        ),
        PatientListView,
    )
    assert registered.error is None

    event = rows_resolved(campaign_id, list_id, [outcome(1), outcome(2), outcome(3)])
    topology = Topology(rabbit)
    await publish(broker, topology, ROWS_RESOLVED, event)
    await publish(broker, topology, ROWS_RESOLVED, event)  # the same message, delivered again

    async def both_consumed() -> bool:
        return await queue_depth(rabbit, ROWS_RESOLVED.queue) == 0

    await eventually(both_consumed)

    async def patient_list() -> RpcReply[PatientListView]:
        query = GetPatientList(
            correlation_id=uuid.uuid4(),
            org_id=ORG,
            actor="u",
            campaign_id=campaign_id,
            list_id=list_id,
        )
        return await ask(rpc, query, PatientListView)

    async def recorded() -> bool:
        progress = await patient_list()
        return progress.result is not None and progress.result.processed_rows == 3

    # Consumed is not yet handled: wait until the rows are recorded, then check nothing
    # happened twice.
    await eventually(recorded)
    reply = await patient_list()
    assert reply.result is not None
    assert (reply.result.processed_rows, reply.result.succeeded) == (3, 3)
    campaign = await ask(
        rpc,
        CreateCampaign(
            message_id=campaign_id,
            correlation_id=uuid.uuid4(),
            org_id=ORG,
            actor="u",
            name="Flu",
            type="basic",
        ),
        CampaignView,
    )
    assert campaign.result is not None
    assert campaign.result.counts.recipients == 3


async def test_a_malformed_event_is_dead_lettered(
    rabbit: RabbitSettings, client: tuple[RabbitBroker, RpcClient]
) -> None:
    broker, _ = client
    topology = Topology(rabbit)
    await broker.publish(
        {"kind": "RowsResolved", "org_id": ORG, "outcomes": "not a list"},
        exchange=topology.exchange(ROWS_RESOLVED.exchange),
        routing_key=ROWS_RESOLVED.routing_key,
        persist=True,
    )

    async def parked() -> bool:
        return await queue_depth(rabbit, f"{ROWS_RESOLVED.queue}.dlq") == 1

    await eventually(parked)


class BrokenCampaigns(MongoCampaignRepository):
    """A campaign store that is down: every read fails."""

    calls = 0

    async def get(self, org_id: str, campaign_id: uuid.UUID) -> Campaign | None:
        BrokenCampaigns.calls += 1
        raise ConnectionError("storage down")


async def test_an_event_that_always_fails_is_dead_lettered_after_the_delivery_limit(
    rabbit: RabbitSettings,
) -> None:
    topology = Topology(rabbit)
    broker = make_broker(rabbit)
    mongo = MongoHandle(None, "unused")
    deps = replace(
        build_store_deps(mongo, FakePublisher(), FakeCreditSource(), make_renderer()),
        campaigns=BrokenCampaigns(mongo),
    )
    register(broker, topology, deps, Releaser(deps, 60, 60))
    await broker.start()
    try:
        await topology.declare(broker)
        await publish(
            broker, topology, ROWS_RESOLVED, rows_resolved(uuid.uuid4(), uuid.uuid4(), [outcome(1)])
        )

        async def parked() -> bool:
            return await queue_depth(rabbit, f"{ROWS_RESOLVED.queue}.dlq") == 1

        await eventually(parked)
    finally:
        await broker.stop()
    assert BrokenCampaigns.calls == 3  # the first delivery and two redeliveries (limit 2)
