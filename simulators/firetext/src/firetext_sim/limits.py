"""Knobs that make the simulator misbehave: latency, a request rate limit, random 500s, and
faults switched on for a while (``fault_windows``)."""

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from firetext_sim.fault_windows import FaultWindows


class RateLimiter:
    """Token bucket shared by every request: ``per_second`` sustained, bursts of one second's worth.

    Excess requests are refused at once, never queued.
    """

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = per_second
        self._capacity = max(1.0, per_second)
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()

    def allow(self) -> bool:
        if self._rate <= 0:
            return True
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True


@dataclass
class Faults:
    latency_s: float
    error_rate: float
    limiter: RateLimiter
    rng: random.Random = field(default_factory=random.Random)
    windows: FaultWindows = field(default_factory=FaultWindows)

    async def refusal(self) -> int | None:
        """The HTTP status to answer instead of serving the request, if any."""
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if (window := self.windows.current()) is not None:
            self.windows.count(window.mode)
            if window.mode == "timeout":
                await asyncio.sleep(window.hang_s)  # then served: the caller gave up
            else:
                return int(window.mode.replace("xx", "00"))
        if not self.limiter.allow():
            return 429
        if self.error_rate and self.rng.random() < self.error_rate:
            return 500
        return None
