"""The record service's background loops: the sender, the status publisher and the inbox poller
(with the acknowledgement timeouts), each a ``cohort_platform`` background loop: it survives errors
with a capped back-off and says so in the log (ids and error types only)."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Gauge

from cohort_contracts.record import RecordState
from cohort_platform.background_loop import BackgroundLoop
from cohort_platform.errors import describe

from ..handlers.deps import Deps
from ..handlers.inbox import poll_inbox
from ..handlers.sending import send_due
from ..handlers.statuses import publish_statuses
from ..handlers.timeouts import expire_missing_acks

log = logging.getLogger(__name__)

ENTRIES = Gauge("record_entries", "Record entries by state", ["state"])
LOOP_ERRORS = Counter("record_loop_errors", "Background passes that failed", ["loop"])


def _loop(
    name: str, step: Callable[[], Awaitable[bool]], idle_s: float, wake: asyncio.Event | None = None
) -> BackgroundLoop:
    def failed(exc: Exception, retry_in_s: float) -> None:
        LOOP_ERRORS.labels(name).inc()
        log.warning(
            "background pass failed; retrying",
            extra={"loop": name, "retry_in_s": retry_in_s, **describe(exc)},
        )

    return BackgroundLoop(f"record-{name}", step, idle_s, wake, on_error=failed)


def sender(deps: Deps, batch: int, idle_s: float) -> BackgroundLoop:
    async def step() -> bool:
        return await send_due(deps, batch) >= batch

    return _loop("sender", step, idle_s, deps.entries_waiting)


def status_publisher(deps: Deps, idle_s: float = 0.5) -> BackgroundLoop:
    async def step() -> bool:
        return await publish_statuses(deps) > 0

    return _loop("statuses", step, idle_s, deps.statuses_waiting)


class _Periodic:
    """A chore due at first, then again once ``every_s`` has passed since it was last done."""

    def __init__(self, every_s: float, clock: Callable[[], float]) -> None:
        self._every_s = every_s
        self._clock = clock
        self._done_at: float | None = None

    def due(self) -> bool:
        return self._done_at is None or self._clock() - self._done_at >= self._every_s

    def done(self) -> None:
        self._done_at = self._clock()


class InboxPoller:
    """One per mailbox per deployment (it holds the mailbox's lease; other instances stand by).
    Polls every ``poll_interval_s`` (MESH: at most every 5 minutes) and again at once after a
    full page, handshakes daily, and runs the acknowledgement timeouts."""

    def __init__(
        self,
        deps: Deps,
        *,
        poll_interval_s: float,
        handshake_interval_s: float,
        sweep_interval_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._deps = deps
        self._handshake = _Periodic(handshake_interval_s, clock)
        self._sweep = _Periodic(sweep_interval_s, clock)
        self.lease = f"inbox:{deps.mailbox.mailbox_id}"
        self._lease_s = max(3 * poll_interval_s, 60.0)
        self.loop = _loop("inbox", self.step, poll_interval_s)

    async def step(self) -> bool:
        deps = self._deps
        if not await deps.leases.acquire(self.lease, deps.instance_id, self._lease_s):
            return False
        if self._handshake.due():
            await deps.mailbox.handshake()
            self._handshake.done()
        result = await poll_inbox(deps)
        if self._sweep.due():
            await expire_missing_acks(deps)
            counts = await deps.entries.counts()
            for state in RecordState:
                ENTRIES.labels(state.value).set(counts.get(state, 0))
            self._sweep.done()
        return result.full_page

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
        await self._deps.leases.release(self.lease, self._deps.instance_id)
