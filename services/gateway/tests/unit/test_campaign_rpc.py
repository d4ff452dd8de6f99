"""The RpcClient adapter: replies, error replies and silence, on FastStream's TestRabbitBroker."""

from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import uuid4

import pytest
from faststream.rabbit import RabbitBroker, TestRabbitBroker

from cohort_contracts.campaign_requests import GetCampaign
from cohort_contracts.campaign_views import CampaignView
from cohort_contracts.routing import CAMPAIGN_REQUESTS
from cohort_platform.broker import make_broker
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from gateway.adapters.campaign_rpc import RpcCampaignClient
from gateway.ports import CampaignError, CampaignUnavailable

from ..fakes import make_campaign

Responder = Callable[[dict[str, Any]], dict[str, Any]]
SILENT: Responder = lambda body: {}  # noqa: E731 - stands for "campaign takes it, never answers"


@pytest.fixture
def rabbit() -> RabbitSettings:
    return RabbitSettings(cohort_rpc_timeout_s=0.3)


async def client_with(
    rabbit: RabbitSettings, respond: Responder
) -> AsyncIterator[RpcCampaignClient]:
    topology = Topology(rabbit)
    broker: RabbitBroker = make_broker(rabbit)
    rpc = RpcClient(broker, topology, caller="gateway", timeout=rabbit.cohort_rpc_timeout_s)
    rpc.attach()
    queue, exchange = topology.subscription(CAMPAIGN_REQUESTS)
    if respond is SILENT:

        @broker.subscriber(queue, exchange, no_reply=True)
        async def lost(body: dict[str, Any]) -> None:
            return None

    else:

        @broker.subscriber(queue, exchange)
        async def campaign(body: dict[str, Any]) -> dict[str, Any]:
            return respond(body)

    async with TestRabbitBroker(broker):
        yield RpcCampaignClient(rpc)


def get_campaign() -> GetCampaign:
    return GetCampaign(correlation_id=uuid4(), org_id="A81001", actor="u", campaign_id=uuid4())


async def test_a_result_is_returned_as_the_reply_type_of_the_request(
    rabbit: RabbitSettings,
) -> None:
    view = make_campaign()

    async for client in client_with(rabbit, lambda body: {"result": view.model_dump(mode="json")}):
        result = await client.request(get_campaign())

    assert isinstance(result, CampaignView)
    assert result == view


async def test_an_error_reply_raises_campaign_error(rabbit: RabbitSettings) -> None:
    def respond(body: dict[str, Any]) -> dict[str, Any]:
        return {"error": {"code": "conflict", "message": "Already sent.", "details": {"n": 1}}}

    async for client in client_with(rabbit, respond):
        with pytest.raises(CampaignError) as caught:
            await client.request(get_campaign())

    assert (caught.value.code, caught.value.message, caught.value.details) == (
        "conflict",
        "Already sent.",
        {"n": 1},
    )


async def test_an_unreadable_reply_is_unavailable(rabbit: RabbitSettings) -> None:
    async for client in client_with(rabbit, lambda body: {"result": {"id": "nope"}}):
        with pytest.raises(CampaignUnavailable, match="could not be read"):
            await client.request(get_campaign())


async def test_no_answer_is_unavailable(rabbit: RabbitSettings) -> None:
    async for client in client_with(rabbit, SILENT):
        with pytest.raises(CampaignUnavailable, match="in time"):
            await client.request(get_campaign())
