"""Live campaign progress as server-sent events, for any number of clients.

One poller per watched campaign per gateway process asks campaign for the campaign (the same
``GetCampaign`` as ``GET /v1/campaigns/{id}``) every ``interval_s`` while anyone is watching, and
fans each change out to that campaign's subscribers; it stops when the last one leaves. A
subscriber is an async generator (no thread) with a one-slot queue: a slow client skips to the
newest state instead of holding a backlog.

Each event's id is a digest of what it carries, so it means the same on every gateway instance
and after a restart: a client reconnecting with ``Last-Event-ID`` gets the current state at once
if it changed meanwhile, and nothing until it does if it did not."""

import asyncio
import hashlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from uuid import UUID, uuid4

from cohort_contracts.campaign_requests import GetCampaign
from cohort_contracts.campaign_views import CampaignView

from ..ports import CampaignClient, CampaignError, CampaignUnavailable, expect

log = logging.getLogger("gateway.events")

#: Sent first on every stream: how long a browser waits before reconnecting (ms).
RETRY_MS = 2000


@dataclass(frozen=True)
class Progress:
    """What an event carries: status and counts, never patient data."""

    data: str
    id: str

    @classmethod
    def of(cls, view: CampaignView) -> "Progress":
        payload = {
            "campaign_id": str(view.id),
            "status": str(view.status),
            "paused_reason": view.paused_reason,
            # Quiet hours hold a sending campaign without changing its status: the page says
            # until when, so a hold beginning or ending is a change too.
            "held_until": None if view.held_until is None else view.held_until.isoformat(),
            "counts": view.counts.model_dump(),
        }
        data = json.dumps(payload, separators=(",", ":"), sort_keys=True)
        return cls(data, hashlib.sha256(data.encode()).hexdigest()[:20])

    def event(self) -> str:
        return f"id: {self.id}\nevent: progress\ndata: {self.data}\n\n"


@dataclass
class _Watch:
    campaign_id: UUID
    org_id: str
    subscribers: set["asyncio.Queue[Progress]"] = field(default_factory=set)
    latest: Progress | None = None
    task: "asyncio.Task[None] | None" = None


def _offer(queue: "asyncio.Queue[Progress]", progress: Progress) -> None:
    """Newest wins: a subscriber that has not taken the last state gets this one instead."""
    with suppress(asyncio.QueueEmpty):
        queue.get_nowait()
    queue.put_nowait(progress)


class CampaignEvents:
    def __init__(
        self, campaign: CampaignClient, *, interval_s: float = 1.0, keepalive_s: float = 15.0
    ) -> None:
        self._campaign = campaign
        self._interval_s = interval_s
        self._keepalive_s = keepalive_s
        self._watches: dict[UUID, _Watch] = {}

    @property
    def watched(self) -> int:
        """Campaigns with a poller running (for tests and metrics)."""
        return len(self._watches)

    async def stream(
        self, first: CampaignView, last_event_id: str | None
    ) -> AsyncGenerator[str, None]:
        """The events for one client. ``first`` is the campaign as the client's own request
        read it (tenancy is settled there); it is sent unless the client already has it."""
        yield f"retry: {RETRY_MS}\n\n"
        sent = last_event_id
        current = Progress.of(first)
        if current.id != sent:
            yield current.event()
            sent = current.id
        async with self._subscribed(first.id, first.org_id) as queue:
            while True:
                try:
                    progress = await asyncio.wait_for(queue.get(), self._keepalive_s)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if progress.id != sent:
                    yield progress.event()
                    sent = progress.id

    async def close(self) -> None:
        for watch in list(self._watches.values()):
            if watch.task is not None:
                watch.task.cancel()
                with suppress(asyncio.CancelledError):
                    await watch.task
        self._watches.clear()

    @asynccontextmanager
    async def _subscribed(
        self, campaign_id: UUID, org_id: str
    ) -> AsyncIterator["asyncio.Queue[Progress]"]:
        queue: asyncio.Queue[Progress] = asyncio.Queue(maxsize=1)
        watch = self._watches.get(campaign_id)
        if watch is None:
            watch = self._watches[campaign_id] = _Watch(campaign_id, org_id)
            watch.task = asyncio.create_task(self._poll(watch), name=f"events-{campaign_id}")
        elif watch.latest is not None:
            _offer(queue, watch.latest)
        watch.subscribers.add(queue)
        try:
            yield queue
        finally:
            watch.subscribers.discard(queue)
            if not watch.subscribers and self._watches.get(campaign_id) is watch:
                del self._watches[campaign_id]
                if watch.task is not None:
                    watch.task.cancel()

    async def _poll(self, watch: _Watch) -> None:
        log.info("watching campaign", extra={"campaign_id": str(watch.campaign_id)})
        try:
            while watch.subscribers:
                progress = await self._read(watch)
                if progress is not None and progress != watch.latest:
                    watch.latest = progress
                    for queue in watch.subscribers:
                        _offer(queue, progress)
                await asyncio.sleep(self._interval_s)
        finally:
            log.info("stopped watching campaign", extra={"campaign_id": str(watch.campaign_id)})

    async def _read(self, watch: _Watch) -> Progress | None:
        # Subscribers were checked against their own scope; the poller reads in the
        # campaign's own organisation.
        request = GetCampaign(
            correlation_id=uuid4(),
            org_id=watch.org_id,
            actor="gateway-events",
            org_scope=[watch.org_id],
            campaign_id=watch.campaign_id,
        )
        try:
            return Progress.of(expect(await self._campaign.request(request), CampaignView))
        except (CampaignUnavailable, CampaignError) as exc:
            # Campaign is restarting or busy: keep the stream open and ask again.
            log.warning(
                "campaign progress not read",
                extra={"campaign_id": str(watch.campaign_id), "error": type(exc).__name__},
            )
            return None
