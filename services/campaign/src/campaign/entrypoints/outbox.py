"""The save-to-record outbox drainer: a background loop, one active per deployment.

Every instance runs this loop but only the holder of the ``outbox`` lease drains; the others
wait to take over if it dies. Delivery handlers only mark entries pending and wake the loop,
so recording outcomes never waits on (or fails with) the record-entry queue. When publishing
fails (the queue is full, the broker is away) the loop backs off, up to a minute, and the
backlog metric shows what is waiting."""

import asyncio
import contextlib
import logging

from prometheus_client import Counter, Gauge

from cohort_platform.errors import describe

from ..handlers.deps import Deps
from ..handlers.record_entries import OUTBOX_LEASE, drain_record_entries

log = logging.getLogger(__name__)

BACKLOG = Gauge(
    "campaign_outbox_backlog", "Delivered messages whose record entry is not yet published"
)
PUBLISHED = Counter("campaign_outbox_published", "Record entries published")
STALLS = Counter("campaign_outbox_stalls", "Drain passes that could not publish everything")

LEASE_S = 30.0
MAX_BACKOFF_S = 60.0


class OutboxDrainer:
    def __init__(
        self, deps: Deps, idle_s: float = 1.0, batch: int = 500, lease_s: float = LEASE_S
    ) -> None:
        self._deps = deps
        self._idle_s = idle_s
        self._batch = batch
        self._lease_s = lease_s
        self._wake = asyncio.Event()
        deps.record_entries_waiting = self._wake
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def drain_once(self) -> int:
        """One pass if this instance holds (or can take) the lease; the number published."""
        if not await self._deps.leases.acquire(OUTBOX_LEASE, self._deps.instance_id, self._lease_s):
            return 0
        published = await drain_record_entries(self._deps, self._batch)
        PUBLISHED.inc(published)
        BACKLOG.set(await self._deps.recipients.count_pending_record_entries())
        return published

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                published = await self.drain_once()
                backoff = 0.0
            except Exception as exc:
                STALLS.inc()
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_S)
                log.warning(
                    "record entries not published; retrying",
                    extra={"retry_in_s": backoff, **describe(exc)},
                )
                await asyncio.sleep(backoff)
                continue
            if published < self._batch:
                # Nothing more for now: wait to be woken by a delivery, or look again soon
                # (deliveries recorded by other instances do not wake this one).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_s)
                self._wake.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._deps.leases.release(OUTBOX_LEASE, self._deps.instance_id)
