"""One PDS rate limit for the whole deployment, shared by however many ingest instances run.

PDS grants a quota per application (5 requests/s by default, reference/pds.md §4), not per
process, so ``INGEST_PDS_RATE_LIMIT`` is the deployment's total. Ingest has RabbitMQ and nothing
else in common between instances, so RabbitMQ is where instances see each other: every instance
holds exactly one consumer on the work queue ``<namespace>.ingest.resolve-rows``. Each instance
asks the broker for that queue's consumer count about once a second (a passive declare) and paces
itself at ``total / consumers``.

Why this survives an instance dying: the broker drops a consumer as soon as its connection goes,
whether the process exited cleanly, crashed or was killed; at the next refresh (within
``INGEST_PDS_RATE_REFRESH_S``) the survivors count one fewer and take its share. There is no
lease to expire and nothing to clean up. A new instance is counted as soon as it consumes.

What it costs, knowingly:

- For up to one refresh period after an instance starts, the others still use the old, larger
  share, so the total can exceed the limit by up to one share for about a second (the new
  instance's bucket starts empty, which softens it). PDS enforces its quota over a minute as well
  as a spike arrest, and a 429 is retried with backoff anyway (adapters/pds.py).
- A stopping instance cancels its consumer first and then finishes its in-flight batches (up to
  the broker's graceful timeout); the others already count it gone. To bound that overlap to its
  last share, the refresher is stopped before the broker, so a draining instance keeps the share
  it had rather than counting itself out and speeding up.
- A host that vanishes without closing its TCP connection (partition, frozen VM) is noticed only
  after the AMQP heartbeat timeout; until then the survivors run slower than they could, never
  faster.
- If the count cannot be read (broker unreachable), the last share is kept. The count is never
  below one: the instance asking is consuming, or about to.
- Anything else consuming the work queue (nothing should) would make everyone slower, not faster.
"""

import asyncio
import contextlib
import logging

from .metrics import PDS_RATE_LIMIT, PDS_SHARING_INSTANCES
from .ports import ConsumerCounter, RateLimiter

log = logging.getLogger("ingest.rate_sharing")


def share_of(total_rate: float, consumers: int) -> float:
    """This instance's requests per second when ``consumers`` instances share ``total_rate``."""
    return total_rate / max(consumers, 1)


class RateSharer:
    """Keeps ``limiter`` at this instance's share of ``total_rate``."""

    def __init__(
        self,
        limiter: RateLimiter,
        counter: ConsumerCounter,
        *,
        total_rate: float,
        period_s: float = 1.0,
        read_timeout_s: float = 5.0,
    ) -> None:
        self._limiter = limiter
        self._counter = counter
        self._total_rate = total_rate
        self._period_s = period_s
        self._read_timeout_s = read_timeout_s
        self._task: asyncio.Task[None] | None = None
        self.consumers: int | None = None
        PDS_RATE_LIMIT.set(limiter.rate)

    async def refresh(self) -> float:
        """Reads the consumer count once and applies the share; returns the rate now in force."""
        try:
            async with asyncio.timeout(self._read_timeout_s):
                consumers = await self._counter.consumers()
        except Exception as exc:
            log.warning(
                "pds rate share not refreshed; keeping the last one",
                extra={"error": type(exc).__name__, "rate": self._limiter.rate},
            )
            return self._limiter.rate
        rate = share_of(self._total_rate, consumers)
        if consumers != self.consumers:
            log.info(
                "pds rate share changed",
                extra={"consumers": consumers, "rate": rate, "total_rate": self._total_rate},
            )
        self.consumers = consumers
        self._limiter.set_rate(rate)
        PDS_SHARING_INSTANCES.set(consumers)
        PDS_RATE_LIMIT.set(rate)
        return rate

    async def start(self) -> None:
        """Applies the first share now, then refreshes every period until ``stop``."""
        if self._task is None:
            await self.refresh()
            self._task = asyncio.create_task(self._run(), name="pds-rate-sharer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._period_s)
            await self.refresh()
