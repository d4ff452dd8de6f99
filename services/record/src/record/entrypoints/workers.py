"""The record service's background loops: the sender, the status publisher and the inbox poller
(with the acknowledgement timeouts). Each survives errors with a capped back-off and says so in
the log (ids and error types only)."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Gauge

from cohort_contracts.record import RecordState
from cohort_platform.errors import describe

from ..handlers.deps import Deps
from ..handlers.inbox import poll_inbox
from ..handlers.sending import send_due
from ..handlers.statuses import publish_statuses
from ..handlers.timeouts import expire_missing_acks

log = logging.getLogger(__name__)

ENTRIES = Gauge("record_entries", "Record entries by state", ["state"])
LOOP_ERRORS = Counter("record_loop_errors", "Background passes that failed", ["loop"])
MAX_BACKOFF_S = 60.0


class Loop:
    """Runs ``step`` until stopped. ``step`` returns True when there may be more to do at once;
    otherwise the loop waits for ``wake`` or ``idle_s``."""

    def __init__(
        self,
        name: str,
        step: Callable[[], Awaitable[bool]],
        idle_s: float,
        wake: asyncio.Event | None = None,
    ) -> None:
        self.name = name
        self._step = step
        self._idle_s = idle_s
        self._wake = wake or asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"record-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        backoff = 0.0
        while True:
            try:
                busy = await self._step()
                backoff = 0.0
            except Exception as exc:
                LOOP_ERRORS.labels(self.name).inc()
                backoff = min(max(backoff * 2, 0.5), MAX_BACKOFF_S)
                log.warning(
                    "background pass failed; retrying",
                    extra={"loop": self.name, "retry_in_s": backoff, **describe(exc)},
                )
                await asyncio.sleep(backoff)
                continue
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_s)
                self._wake.clear()


def sender(deps: Deps, batch: int, idle_s: float) -> Loop:
    async def step() -> bool:
        return await send_due(deps, batch) >= batch

    return Loop("sender", step, idle_s, deps.entries_waiting)


def status_publisher(deps: Deps, idle_s: float = 0.5) -> Loop:
    async def step() -> bool:
        return await publish_statuses(deps) > 0

    return Loop("statuses", step, idle_s, deps.statuses_waiting)


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
        self._handshake_interval_s = handshake_interval_s
        self._sweep_interval_s = sweep_interval_s
        self._clock = clock
        self._last_handshake: float | None = None
        self._last_sweep: float | None = None
        self.lease = f"inbox:{deps.mailbox.mailbox_id}"
        self._lease_s = max(3 * poll_interval_s, 60.0)
        self.loop = Loop("inbox", self.step, poll_interval_s)

    def _due(self, last: float | None, every: float) -> bool:
        return last is None or self._clock() - last >= every

    async def step(self) -> bool:
        deps = self._deps
        if not await deps.leases.acquire(self.lease, deps.instance_id, self._lease_s):
            return False
        if self._due(self._last_handshake, self._handshake_interval_s):
            await deps.mailbox.handshake()
            self._last_handshake = self._clock()
        result = await poll_inbox(deps)
        if self._due(self._last_sweep, self._sweep_interval_s):
            await expire_missing_acks(deps)
            counts = await deps.entries.counts()
            for state in RecordState:
                ENTRIES.labels(state.value).set(counts.get(state, 0))
            self._last_sweep = self._clock()
        return result.full_page

    def start(self) -> None:
        self.loop.start()

    async def stop(self) -> None:
        await self.loop.stop()
        await self._deps.leases.release(self.lease, self._deps.instance_id)
