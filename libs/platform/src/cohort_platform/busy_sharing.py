"""One rate limit for the whole deployment, shared by the instances that have work *now*.

Providers grant a quota per account, not per process (PDS: 5 requests/s per application,
reference/pds.md §4; Firetext: messages per second), and answer any excess with 429, so the
configured limit is the deployment's total. ``rate_sharing.RateSharer`` splits it equally
between every running instance, so an instance with nothing to do holds a share nobody uses
(issue 13: three ingest instances used 84 % of the PDS limit). Here the limit is split between
the instances that want requests.

**How instances see each other.** Through RabbitMQ, the only thing they share
(``rabbit_presence.RabbitPresence``). An instance that is asked for a request registers as a
consumer on its service's presence queue (nothing is ever published to it), and while
registered reads that queue's consumer count every ``period_s``; its share is ``total /
count``. After ``linger_s`` without demand it withdraws. The broker drops the consumer of an
instance whose connection goes (exit, crash, SIGKILL) at once, so nothing needs cleaning up.

**Why the total is never exceeded.** Every share is acted on while the count it came from
may already be out of date, so shares are leases (``L = lease_s``, ``W = 2 * lease_s``):

1. A share is good for ``L`` after the read it came from *started*; then the bucket stops
   granting by itself (``TokenBucket.grant(until=...)``), whatever this instance's event loop
   is doing. No fresh count, no requests. Reads are therefore less than ``L`` apart while an
   instance sends; after a longer gap it starts again as if joining (rule 3).
2. A share falls at once, but rises only ``W`` after the read that showed the rise started.
3. A joining instance is granted nothing until ``W`` after its first read.
4. An instance withdraws only after its bucket is revoked, so nothing is sent unregistered.

So an instance sending at time t joined before ``t - W`` and, since its reads still succeed,
was registered until after ``t - L``. Every instance sending at t has, by rules 1 and 2, a
share no larger than the one from its read in ``(t - W, t - L)``, a read that counted every
instance sending at t. The shares in force therefore add up to at most the total. This
assumes monotonic clocks run at the same speed everywhere, and that a registration ends only
by withdrawal, by the process dying, or with the connection that also carries the reads (then
the reads fail and rule 1 stops the instance within ``L``). A consumer the broker cancels on
its own (someone deleted the presence queue) is noticed at the next read. Bursts are bounded
too: a bucket saves at most its share * ``burst_s``, and a joining instance starts empty.

**What it costs.** A joining instance waits ``W`` after its first read; the others keep using
the limit meanwhile unless they are joining too. The share of an instance that runs out of
work reaches the others about ``linger_s + period_s + W`` later, that of an instance that is
killed ``period_s + W`` after the broker drops its connection: at once for a process that
exits or is killed, after the AMQP heartbeat timeout for a host that vanishes (meanwhile the
survivors run slower, never faster). If the broker cannot be read, every instance stops
sending within ``L``; it could neither take nor finish work without the broker anyway.

Why hand-written: aiolimiter and ``limits`` pace one process (``limits`` can share a window
through Redis or Memcached, which we do not run); nothing shares a limit through RabbitMQ.
"""

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from prometheus_client import Gauge

from .rate_limiter import TokenBucket
from .tasks import cancel_and_wait

log = logging.getLogger("cohort.busy_sharing")


class Presence(Protocol):
    """Where the instances of a service that want requests register, and count each other."""

    @property
    def joined(self) -> bool:
        """Registered, as far as this instance can tell: false once its connection or its
        consumer is gone."""
        ...

    async def join(self) -> None:
        """Registers this instance. Raises if the broker cannot be reached."""
        ...

    async def leave(self) -> None:
        """Withdraws the registration. Raises if that cannot be confirmed (``aclose`` then
        withdraws it by dropping the connection)."""
        ...

    async def busy(self) -> int:
        """Instances registered now, this one included. Raises if the count cannot be read."""
        ...

    async def aclose(self) -> None:
        """Drops the connection, and with it any registration."""
        ...


@dataclass(frozen=True)
class SharingTimes:
    #: A share is used for at most this long after the read it came from started; joining and
    #: taking a larger share wait twice this.
    lease_s: float = 0.5
    #: Between reads while registered; well under ``lease_s``, or shares lapse between reads.
    period_s: float = 0.1
    #: How long an instance stays registered after its last request.
    linger_s: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.period_s < self.lease_s:
            raise ValueError("the read period must be positive and shorter than the lease")
        if self.linger_s < 0:
            raise ValueError("the linger must not be negative")


class ShareLedger:
    """Rules 1 to 3 on a clock: the reads an instance has made since it joined, and the share
    they allow it now. Pure arithmetic; ``BusyRateSharer`` does the I/O around it."""

    def __init__(self, total_rate: float, lease_s: float) -> None:
        self._total_rate = total_rate
        self._lease_s = lease_s
        #: (read started, share it gave), oldest first; a share of 0 holds the rate at nothing.
        self._shares: deque[tuple[float, float]] = deque()
        self._last_read: float | None = None

    def joined(self, at: float) -> None:
        """Registered at ``at``: nothing until ``W`` after the first read (rule 3)."""
        self._shares = deque([(at, 0.0)])
        self._last_read = None

    def clear(self) -> None:
        self._shares.clear()
        self._last_read = None

    def read(self, started: float, busy: int) -> float:
        """A count of ``busy`` instances, from a read that started at ``started``; returns the
        share it gives (which may not be in force yet)."""
        last = self._last_read
        if last is not None and started - last >= self._lease_s:
            # Rule 1: the share lapsed between these reads; start again as if joining.
            self._shares.append((last + self._lease_s, 0.0))
        share = self._total_rate / max(busy, 1)
        self._shares.append((started, share))
        self._last_read = started
        return share

    def in_force(self, now: float) -> tuple[float, float] | None:
        """(requests per second, until when) this instance may use at ``now``, or None."""
        if self._last_read is None or now >= self._last_read + self._lease_s:
            return None  # rule 1
        # Rule 2: the least of the shares read since the latest read that is at least W old
        # (which is kept: it still caps the rate).
        settled = now - 2 * self._lease_s
        while len(self._shares) > 1 and self._shares[1][0] <= settled:
            self._shares.popleft()
        share = min(rate for _, rate in self._shares)
        return (share, self._last_read + self._lease_s) if share > 0 else None


class BusyRateSharer:
    """``acquire`` paces this instance at its share of ``total_rate`` among the instances that
    want requests. ``start`` runs the reads in the background; ``step`` is one round of them
    (tests call it with a hand-moved ``clock``). ``name`` labels the logs (``pds``, ``sms``);
    the optional gauges show the share in force and the instances counted at the last read."""

    def __init__(
        self,
        presence: Presence,
        *,
        total_rate: float,
        name: str,
        times: SharingTimes | None = None,
        burst_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        rate_gauge: Gauge | None = None,
        instances_gauge: Gauge | None = None,
    ) -> None:
        self._presence = presence
        self._total_rate = total_rate
        self._name = name
        self._times = times or SharingTimes()
        self._clock = clock
        self._bucket = TokenBucket(total_rate, burst_s=burst_s, clock=clock)
        self._bucket.revoke()
        self._rate_gauge = rate_gauge
        self._instances_gauge = instances_gauge
        self._joined = False
        self._ledger = ShareLedger(total_rate, self._times.lease_s)
        self._waiting = 0
        self._last_demand = -math.inf
        self._demand = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: Instances counted at the last read while registered.
        self.busy_instances: int | None = None
        self._set_gauges()

    @property
    def rate(self) -> float:
        """Requests per second this instance may make now (0 while it holds no share)."""
        return self._bucket.rate if self._bucket.granted else 0.0

    @property
    def joined(self) -> bool:
        return self._joined

    async def acquire(self, amount: float = 1.0) -> None:
        """Waits until ``amount`` more requests fit this instance's share, then counts them."""
        self._waiting += 1
        self._demand.set()
        try:
            await self._bucket.acquire(amount)
        finally:
            self._waiting -= 1
            self._last_demand = self._clock()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self._name}-busy-sharer")

    async def stop(self) -> None:
        """Stops reading and withdraws (after revoking the share, so nothing more is sent)."""
        task, self._task = self._task, None
        await cancel_and_wait(task)
        if self._joined:
            await self._leave()
        await self._presence.aclose()

    async def step(self) -> None:
        """One round: join if there is demand, withdraw after ``linger_s`` without any, and
        otherwise read the count and apply the share."""
        if not self._joined:
            if not self._has_demand():
                return
            await self._join()
            if not self._joined:
                return
        elif not self._has_demand():
            await self._leave()
            return
        await self._read()
        self._apply()

    def _has_demand(self) -> bool:
        return self._waiting > 0 or self._clock() - self._last_demand < self._times.linger_s

    async def _run(self) -> None:
        while True:
            if not self._joined:
                self._demand.clear()
                if not self._has_demand():
                    await self._demand.wait()
            try:
                await self.step()
            except Exception:  # a bug must not end the sharing: without it nothing is granted
                log.exception("rate sharing step failed", extra={"limit": self._name})
            await asyncio.sleep(self._times.period_s)

    async def _join(self) -> None:
        asked = self._clock()
        if not await self._registration(self._presence.join, "could not register for a rate share"):
            return
        self._joined = True
        self._ledger.joined(asked)
        log.info("registered for a rate share", extra={"limit": self._name})

    async def _leave(self) -> None:
        self._reset()  # rule 4: the share goes before the registration
        await self._registration(
            self._presence.leave, "rate share not withdrawn cleanly; dropping the connection"
        )
        log.info("withdrew from the rate share", extra={"limit": self._name})

    async def _registration(self, change: Callable[[], Awaitable[None]], failure: str) -> bool:
        """Joins or leaves (``change``) within ten leases; on failure logs ``failure`` and closes
        the presence (its connection). True when ``change`` succeeded."""
        try:
            async with asyncio.timeout(self._times.lease_s * 10):
                await change()
        except Exception as exc:
            log.warning(failure, extra={"limit": self._name, "error": type(exc).__name__})
            await self._presence.aclose()
            return False
        return True

    def _reset(self) -> None:
        self._bucket.revoke()
        self._joined = False
        self._ledger.clear()
        self._set_gauges()

    async def _read(self) -> None:
        started = self._clock()
        try:
            async with asyncio.timeout(self._times.lease_s):
                count = await self._presence.busy()
        except Exception as exc:
            log.warning(
                "rate share not refreshed",
                extra={"limit": self._name, "error": type(exc).__name__},
            )
            if not self._presence.joined:
                await self._lost()
            return
        if count < 1 or not self._presence.joined:
            await self._lost()
            return
        share = self._ledger.read(started, count)
        if count != self.busy_instances:
            log.info(
                "rate share changed",
                extra={
                    "limit": self._name,
                    "busy_instances": count,
                    "rate": share,
                    "total_rate": self._total_rate,
                },
            )
        self.busy_instances = count

    async def _lost(self) -> None:
        log.warning("rate share registration lost", extra={"limit": self._name})
        self._reset()
        await self._presence.aclose()

    def _apply(self) -> None:
        granted = self._ledger.in_force(self._clock())
        if granted is None:
            self._bucket.revoke()
        else:
            rate, until = granted
            self._bucket.grant(rate, until=until)
        self._set_gauges()

    def _set_gauges(self) -> None:
        if self._rate_gauge is not None:
            self._rate_gauge.set(self.rate)
        if self._instances_gauge is not None and self.busy_instances is not None:
            self._instances_gauge.set(self.busy_instances)
