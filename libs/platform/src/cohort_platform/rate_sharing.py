"""One rate limit for the whole deployment, shared equally by however many instances of a service
run. Dispatch shares the SMS limit this way; ingest shares the PDS limit among the instances
that have work now instead (``busy_sharing``), since an equal share idles with its instance
(issue 13). ``busy_sharing.BusyRateSharer`` is the drop-in for a new service.

Providers grant a quota per account, not per process (PDS: 5 requests/s per application,
reference/pds.md §4; Firetext: messages per second), so the configured limit is the
deployment's total. Our instances have RabbitMQ and nothing else in common, so RabbitMQ is where
they see each other: every instance holds exactly one consumer on its service's work queue
(dispatch: ``<namespace>.dispatch.send-messages``).
Each instance asks the broker for that queue's consumer count about once a second (a passive
declare, ``rabbit_consumers.py``) and paces itself at ``total / consumers``.

Why this survives an instance dying: the broker drops a consumer as soon as its connection goes,
whether the process exited cleanly, crashed or was killed; at the next refresh (within the
refresh period) the survivors count one fewer and take its share. There is no lease to expire
and nothing to clean up. A new instance is counted as soon as it consumes.

What it costs, knowingly:

- For up to one refresh period after an instance starts, the others still use the old, larger
  share, so the total can exceed the limit by up to one share for about a second (the new
  instance's bucket starts empty, which softens it). Providers answer an excess with 429, which
  callers retry with backoff.
- A stopping instance cancels its consumer first and then finishes its in-flight work (up to
  the broker's graceful timeout); the others already count it gone. To bound that overlap to its
  last share, stop the sharer before the broker, so a draining instance keeps the share it had
  rather than counting itself out and speeding up.
- A host that vanishes without closing its TCP connection (partition, frozen VM) is noticed only
  after the AMQP heartbeat timeout; until then the survivors run slower than they could, never
  faster.
- If the count cannot be read (broker unreachable), the last share is kept. The count is never
  below one: the instance asking is consuming, or about to.
- Anything else consuming the work queue (nothing should) would make everyone slower, not faster.
"""

import asyncio
import logging
from dataclasses import KW_ONLY, dataclass, field
from typing import Protocol

from prometheus_client import Gauge

from .tasks import cancel_and_wait

log = logging.getLogger("cohort.rate_sharing")


class SharedRate(Protocol):
    """A limiter whose rate can be changed while requests wait (``rate_limiter.TokenBucket``)."""

    @property
    def rate(self) -> float:
        """Requests per second currently allowed."""
        ...

    def set_rate(self, requests_per_second: float) -> None:
        """Applies from now on, to requests already waiting too. Must be positive."""
        ...


class ConsumerCounter(Protocol):
    async def consumers(self) -> int:
        """Consumers currently attached to the work queue, as the broker sees them now.
        Raises if the broker cannot be asked."""
        ...


def share_of(total_rate: float, consumers: int) -> float:
    """This instance's requests per second when ``consumers`` instances share ``total_rate``."""
    return total_rate / max(consumers, 1)


@dataclass(eq=False)
class RateSharer:
    """Keeps ``limiter`` at this instance's share of ``total_rate``.

    ``name`` labels the logs (``pds``, ``sms``); the optional gauges show the share in force and
    the instances counted on the service's ``/metrics``."""

    limiter: SharedRate
    counter: ConsumerCounter
    _: KW_ONLY
    total_rate: float
    name: str
    period_s: float = 1.0
    read_timeout_s: float = 5.0
    rate_gauge: Gauge | None = None
    instances_gauge: Gauge | None = None
    #: Consumers counted at the last read that succeeded (None before the first).
    consumers: int | None = field(default=None, init=False)
    _task: asyncio.Task[None] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.rate_gauge is not None:
            self.rate_gauge.set(self.limiter.rate)

    async def refresh(self) -> float:
        """Reads the consumer count once and applies the share; returns the rate now in force."""
        try:
            async with asyncio.timeout(self.read_timeout_s):
                consumers = await self.counter.consumers()
        except Exception as exc:
            log.warning(
                "rate share not refreshed; keeping the last one",
                extra={
                    "limit": self.name,
                    "error": type(exc).__name__,
                    "rate": self.limiter.rate,
                },
            )
            return self.limiter.rate
        rate = share_of(self.total_rate, consumers)
        if consumers != self.consumers:
            log.info(
                "rate share changed",
                extra={
                    "limit": self.name,
                    "consumers": consumers,
                    "rate": rate,
                    "total_rate": self.total_rate,
                },
            )
        self.consumers = consumers
        self.limiter.set_rate(rate)
        if self.instances_gauge is not None:
            self.instances_gauge.set(consumers)
        if self.rate_gauge is not None:
            self.rate_gauge.set(rate)
        return rate

    async def start(self) -> None:
        """Applies the first share now, then refreshes every period until ``stop``."""
        if self._task is None:
            await self.refresh()
            self._task = asyncio.create_task(self._run(), name=f"{self.name}-rate-sharer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period_s)
            await self.refresh()
