"""The save-to-record outbox drainer: a background loop, one active per deployment.

Every instance runs this loop but only the holder of the ``outbox`` lease drains; the others
wait to take over if it dies. Delivery handlers only mark entries pending and wake the loop,
so recording outcomes never waits on (or fails with) the record-entry queue. When publishing
fails (the queue is full, the broker is away) the loop backs off, up to a minute, and the
backlog metric shows what is waiting."""

import logging

from prometheus_client import Counter, Gauge

from cohort_platform.background_loop import BackgroundLoop
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


class OutboxDrainer:
    def __init__(
        self, deps: Deps, idle_s: float = 1.0, batch: int = 500, lease_s: float = LEASE_S
    ) -> None:
        self._deps = deps
        self._batch = batch
        self._lease_s = lease_s
        # Delivery handlers set this event: the loop clears it once woken.
        self._loop = BackgroundLoop("campaign-outbox", self._step, idle_s, on_error=_stalled)
        deps.record_entries_waiting = self._loop.wake

    def start(self) -> None:
        self._loop.start()

    async def drain_once(self) -> int:
        """One pass if this instance holds (or can take) the lease; the number published."""
        if not await self._deps.leases.acquire(OUTBOX_LEASE, self._deps.instance_id, self._lease_s):
            return 0
        published = await drain_record_entries(self._deps, self._batch)
        PUBLISHED.inc(published)
        BACKLOG.set(await self._deps.recipients.count_pending_record_entries())
        return published

    async def _step(self) -> bool:
        # A full batch may mean more are waiting; a short one that nothing more is, for now.
        return await self.drain_once() >= self._batch

    async def stop(self) -> None:
        await self._loop.stop()
        await self._deps.leases.release(OUTBOX_LEASE, self._deps.instance_id)


def _stalled(exc: Exception, retry_in_s: float) -> None:
    STALLS.inc()
    log.warning(
        "record entries not published; retrying",
        extra={"retry_in_s": retry_in_s, **describe(exc)},
    )
