"""Live progress: one poller per watched campaign shared by its subscribers, events only on a
change, ``Last-Event-ID`` honoured, keep-alives while quiet, tenancy as every other route; and
the stream itself over a real HTTP server."""

import asyncio
import json
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from uuid import uuid4

import httpx2
import pytest

from cohort_contracts.campaign_requests import GetCampaign
from cohort_contracts.campaign_views import CampaignCounts, CampaignView
from cohort_contracts.vocabulary import CampaignStatus
from cohort_testing.local_server import serve
from gateway.handlers.campaign_events import CampaignEvents
from gateway.ports import CampaignUnavailable

from ..conftest import ORG, GatewayFactory, Harness, gateway_settings
from ..fakes import FakeCampaign


async def next_event(stream: AsyncIterator[str]) -> dict[str, object]:
    """The next progress event's data, skipping the retry line and keep-alives."""
    async for chunk in stream:
        if chunk.startswith("id:"):
            data = json.loads(chunk.split("data: ", 1)[1])
            assert isinstance(data, dict)
            return data
    raise AssertionError("stream ended")


def quick(fake: FakeCampaign) -> CampaignEvents:
    """Polls every 10 ms and keeps the stream alive after 50 ms of quiet."""
    return CampaignEvents(fake, interval_s=0.01, keepalive_s=0.05)


async def watching(
    fake: FakeCampaign, view: CampaignView
) -> tuple[CampaignEvents, AsyncGenerator[str, None]]:
    """Quick events and a new client's stream of ``view``, past the event it starts with."""
    events = quick(fake)
    stream = events.stream(view, None)
    await next_event(stream)
    return events, stream


async def test_subscribers_of_one_campaign_share_one_poller_and_see_each_change() -> None:
    fake = FakeCampaign()
    view = fake.add_campaign(status=CampaignStatus.SENDING)
    events = CampaignEvents(fake, interval_s=0.02, keepalive_s=5)
    first, second = events.stream(view, None), events.stream(view, None)

    assert (await next_event(first))["status"] == "sending"
    assert (await next_event(second))["status"] == "sending"
    fake.campaigns[view.id] = view.model_copy(update={"counts": CampaignCounts(delivered=3)})
    changed = await asyncio.wait_for(next_event(first), 2)
    assert changed["counts"] == CampaignCounts(delivered=3).model_dump()
    assert (await asyncio.wait_for(next_event(second), 2))["counts"] == changed["counts"]
    assert events.watched == 1
    polls = len(fake.sent(GetCampaign))
    await asyncio.sleep(0.2)  # ten intervals: two pollers would ask about twenty times
    # Both subscribers are served by one reader, about once per interval.
    assert len(fake.sent(GetCampaign)) - polls < 15

    await first.aclose()
    assert events.watched == 1
    await second.aclose()
    assert events.watched == 0
    await asyncio.sleep(0.05)  # lets the cancelled poller finish a read it may be in
    after = len(fake.sent(GetCampaign))
    await asyncio.sleep(0.1)  # several intervals in which nothing may happen
    assert len(fake.sent(GetCampaign)) == after  # nobody watching: nobody polling


async def test_no_event_without_a_change_only_keep_alives() -> None:
    fake = FakeCampaign()
    view = fake.add_campaign()
    _, stream = await watching(fake, view)

    chunks = [await asyncio.wait_for(anext(stream), 1) for _ in range(3)]

    assert chunks == [": keep-alive\n\n"] * 3
    await stream.aclose()


async def test_a_client_reconnecting_to_a_restarted_gateway_gets_nothing_until_a_change() -> None:
    fake = FakeCampaign()
    view = fake.add_campaign()
    first = quick(fake).stream(view, None)
    seen = await anext(first), await anext(first)
    last_event_id = seen[1].split("\n", 1)[0].removeprefix("id: ")
    await first.aclose()
    # Another process: ids are digests of what the event carries, not counters.
    stream = quick(fake).stream(view, last_event_id)

    assert await anext(stream) == "retry: 2000\n\n"
    assert await asyncio.wait_for(anext(stream), 1) == ": keep-alive\n\n"
    fake.campaigns[view.id] = view.model_copy(update={"status": CampaignStatus.CANCELLED})
    assert (await asyncio.wait_for(next_event(stream), 1))["status"] == "cancelled"
    await stream.aclose()


async def test_a_quiet_hours_hold_is_a_change_with_its_end() -> None:
    fake = FakeCampaign()
    view = fake.add_campaign(status=CampaignStatus.SENDING)
    _, stream = await watching(fake, view)

    until = datetime(2026, 1, 15, 8, tzinfo=UTC)
    fake.campaigns[view.id] = view.model_copy(update={"held_until": until})
    held = await asyncio.wait_for(next_event(stream), 1)

    assert (held["status"], held["held_until"]) == ("sending", "2026-01-15T08:00:00+00:00")
    fake.campaigns[view.id] = view
    assert (await asyncio.wait_for(next_event(stream), 1))["held_until"] is None
    await stream.aclose()


async def test_an_outage_keeps_the_stream_open() -> None:
    fake = FakeCampaign()
    view = fake.add_campaign()
    events, stream = await watching(fake, view)

    fake.fail_with = CampaignUnavailable("down")
    assert await asyncio.wait_for(anext(stream), 1) == ": keep-alive\n\n"
    fake.fail_with = None
    fake.campaigns[view.id] = view.model_copy(update={"counts": CampaignCounts(sent=1)})
    counts = (await asyncio.wait_for(next_event(stream), 1))["counts"]
    assert counts == CampaignCounts(sent=1).model_dump()
    await stream.aclose()
    await events.close()


async def test_another_practices_campaign_is_a_404_not_a_stream(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id="B82002")

    response = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/events", headers=gateway.auth()
    )

    assert response.status_code == 404
    missing = await gateway.client.get(f"/v1/campaigns/{uuid4()}/events", headers=gateway.auth())
    assert missing.status_code == 404
    anonymous = await gateway.client.get(f"/v1/campaigns/{campaign.id}/events")
    assert anonymous.status_code == 401


@pytest.mark.parametrize("settings", [{"events_poll_s": 0.05}])
async def test_the_stream_over_http_updates_within_two_seconds_and_resumes(
    gateway_factory: GatewayFactory, settings: dict[str, float]
) -> None:
    async with gateway_factory(**settings) as gateway, serve(gateway.app) as base:
        campaign = gateway.campaign.add_campaign(org_id=ORG, status=CampaignStatus.SENDING)
        url = f"{base}/v1/campaigns/{campaign.id}/events"
        async with httpx2.AsyncClient(timeout=5) as client:
            async with client.stream("GET", url, headers=gateway.auth()) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                lines = response.aiter_lines()
                first_id = await _read_event_id(lines)
                gateway.campaign.campaigns[campaign.id] = campaign.model_copy(
                    update={"counts": CampaignCounts(recipients=2, delivered=1)}
                )
                loop = asyncio.get_running_loop()
                started = loop.time()
                second_id = await asyncio.wait_for(_read_event_id(lines), 2)
                assert loop.time() - started < 2
                assert second_id != first_id
            # Reconnecting with the last id seen: no repeat of a state already shown.
            headers = gateway.auth() | {"Last-Event-ID": second_id}
            async with client.stream("GET", url, headers=headers) as response:
                lines = response.aiter_lines()
                assert await anext(lines) == "retry: 2000"
                assert await anext(lines) == ""
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(_read_event_id(lines), 0.5)


async def _read_event_id(lines: AsyncIterator[str]) -> str:
    async for line in lines:
        if line.startswith("id: "):
            return line.removeprefix("id: ")
    raise AssertionError("stream ended")


def test_settings_bound_the_poll_interval() -> None:
    with pytest.raises(ValueError, match="events_poll_s"):
        gateway_settings(events_poll_s=0)
