"""Against the real RabbitMQ: an upload lands in the real ingest queue, a Firetext reply in
dispatch's, and concurrent HTTP requests to campaign stay concurrent through the RPC client."""

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx2
import pytest

from cohort_contracts.campaign_views import CampaignView
from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import ALL_ROUTES, CAMPAIGN_REQUESTS, FIRETEXT_INBOUND, RESOLVE_ROWS
from cohort_contracts.sending import ProcessFiretextInbound
from cohort_platform.broker import make_broker
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import queue_depth, rabbit_namespace
from cohort_platform.topology import Topology
from cohort_testing.rabbit import drain as drain_queue
from cohort_testing.rabbit import rabbit_channel
from gateway.adapters.token_verifiers import issue_token
from gateway.bootstrap import PUBLISHED_ROUTES
from gateway.entrypoints.app import create_app

from ..conftest import JWT_SECRET, ORG, gateway_settings, webhook_token
from ..fakes import make_campaign, make_list

pytestmark = pytest.mark.integration

RPC_DELAY_S = 0.3


@dataclass
class Live:
    client: httpx2.AsyncClient
    rabbit: RabbitSettings
    requests: list[dict[str, Any]]

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(JWT_SECRET, 'user-1', ORG)}"}


def answer(body: dict[str, Any]) -> dict[str, Any]:
    """A stand-in for campaign: enough of its request/reply API for these tests."""
    kind = body["kind"]
    if kind == "GetCampaign":
        if body["org_id"] != ORG:
            return {"error": {"code": "not_found", "message": "No such campaign."}}
        campaign = make_campaign(id=body["campaign_id"], org_id=body["org_id"])
        return {"result": campaign.model_dump(mode="json")}
    if kind == "RegisterPatientList":
        patient_list = make_list(
            id=body["list_id"],
            campaign_id=body["campaign_id"],
            channel=body["channel"],
            filename=body["filename"],
            total_rows=body["total_rows"],
        )
        return {"result": patient_list.model_dump(mode="json")}
    return {"error": {"code": "invalid", "message": f"unexpected {kind}"}}


@asynccontextmanager
async def namespace(url: str, **overrides: object) -> AsyncIterator[RabbitSettings]:
    """``rabbit_namespace``, also removing the queues the gateway declares beyond ``ALL_ROUTES``
    (routes the platform's clean-up does not know of yet)."""
    async with rabbit_namespace(url, **overrides) as rabbit:
        try:
            yield rabbit
        finally:
            extra = [r for r in PUBLISHED_ROUTES if r not in ALL_ROUTES]
            async with rabbit_channel(rabbit.rabbitmq_url) as channel:
                for route in extra:
                    for queue in (route.queue, f"{route.queue}.dlq"):
                        await channel.queue_delete(Topology(rabbit).name(queue))


@pytest.fixture
async def live(rabbitmq_url: str) -> AsyncIterator[Live]:
    async with namespace(rabbitmq_url, cohort_rpc_timeout_s=5.0) as rabbit:
        topology = Topology(rabbit)
        # The fake campaign: its own connection, enough prefetch to answer 20 requests at once.
        campaign_broker = make_broker(rabbit, prefetch=64)
        requests: list[dict[str, Any]] = []

        @campaign_broker.subscriber(*topology.subscription(CAMPAIGN_REQUESTS))
        async def campaign(body: dict[str, Any]) -> dict[str, Any]:
            requests.append(body)
            if body["kind"] == "GetCampaign":
                await asyncio.sleep(RPC_DELAY_S)
            return answer(body)

        await campaign_broker.start()
        app = create_app(gateway_settings(), rabbit, configure_logs=False)
        try:
            async with (
                app.router.lifespan_context(app),
                httpx2.AsyncClient(
                    transport=httpx2.ASGITransport(app=app), base_url="http://gateway", timeout=30
                ) as client,
            ):
                yield Live(client, rabbit, requests)
        finally:
            await campaign_broker.stop()


async def drain_raw(rabbit: RabbitSettings, relative_queue: str) -> list[dict[str, Any]]:
    taken = await drain_queue(rabbit.rabbitmq_url, Topology(rabbit).name(relative_queue))
    return [json.loads(message.body) for message in taken]


async def drain(rabbit: RabbitSettings, relative_queue: str) -> list[ResolveRows]:
    return [ResolveRows.model_validate(body) for body in await drain_raw(rabbit, relative_queue)]


async def test_a_1000_row_upload_lands_in_the_ingest_queue_in_exact_batches(live: Live) -> None:
    campaign_id = uuid4()
    header = "Practice list\r\n\r\nNHS Number,Date of Birth,Name\r\n"
    rows = "".join(f"{9000000000 + i},01/02/1980,Patient {i}\r\n" for i in range(1000))

    response = await live.client.post(
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": ("list.csv", (header + rows).encode(), "text/csv")},
        data={"channel": "sms"},
        headers=live.auth(),
    )

    assert response.status_code == 202, response.text
    list_id = response.json()["id"]
    [register] = [r for r in live.requests if r["kind"] == "RegisterPatientList"]
    assert (register["org_id"], register["total_rows"]) == (ORG, 1000)
    expected = math.ceil(1000 / 200)
    assert await queue_depth(live.rabbit, RESOLVE_ROWS.queue) == expected
    batches = sorted(await drain(live.rabbit, RESOLVE_ROWS.queue), key=lambda b: b.batch_number)
    assert len(batches) == expected
    assert [b.batch_number for b in batches] == list(range(expected))
    assert {str(b.list_id) for b in batches} == {list_id}
    assert {str(b.correlation_id) for b in batches} == {register["correlation_id"]}
    numbered = [(r.row_number, r.cells) for b in batches for r in b.rows]
    assert numbered == [
        (i + 1, [str(9000000000 + i), "01/02/1980", f"Patient {i}"]) for i in range(1000)
    ]


async def test_an_inbound_reply_is_in_dispatchs_queue_before_firetext_hears_ok(
    live: Live,
) -> None:
    response = await live.client.post(
        f"/v1/webhooks/firetext/inbound?org={ORG}&token={webhook_token(ORG)}",
        data={"source": "07700900123", "destination": "447537432100", "message": "Yes please"},
    )

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    [body] = await drain_raw(live.rabbit, FIRETEXT_INBOUND.queue)
    reply = ProcessFiretextInbound.model_validate(body)
    assert (reply.org_id, reply.source, reply.message) == (ORG, "07700900123", "Yes please")


async def test_concurrent_requests_take_one_round_trip_not_twenty(live: Live) -> None:
    auth = live.auth()

    async def get() -> httpx2.Response:
        return await live.client.get(f"/v1/campaigns/{uuid4()}", headers=auth)

    started = time.perf_counter()
    responses = await asyncio.gather(*(get() for _ in range(20)))
    elapsed = time.perf_counter() - started

    assert [r.status_code for r in responses] == [200] * 20
    assert all(CampaignView.model_validate(r.json()).org_id == ORG for r in responses)
    # Twenty round trips one after another would take 20 x 0.3 s = 6 s.
    assert elapsed < RPC_DELAY_S * 3, f"20 concurrent GETs took {elapsed:.2f}s"
    print(f"20 concurrent GETs: {elapsed:.3f}s")  # noqa: T201


async def test_campaign_error_replies_map_to_http_statuses(live: Live) -> None:
    response = await live.client.post(f"/v1/campaigns/{uuid4()}/cancel", headers=live.auth())

    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "unexpected CancelCampaign",
        "details": {},
    }


async def test_no_campaign_answering_is_503(rabbitmq_url: str) -> None:
    async with namespace(rabbitmq_url, cohort_rpc_timeout_s=0.5) as rabbit:
        app = create_app(gateway_settings(), rabbit, configure_logs=False)
        async with (
            app.router.lifespan_context(app),
            httpx2.AsyncClient(
                transport=httpx2.ASGITransport(app=app), base_url="http://gateway"
            ) as client,
        ):
            live = Live(client, rabbit, [])
            response = await client.get(f"/v1/campaigns/{uuid4()}", headers=live.auth())
            ready = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert ready.json()["checks"] == {"broker": True}
