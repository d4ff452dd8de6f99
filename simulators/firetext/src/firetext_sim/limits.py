"""Knobs that make the simulator misbehave: latency, a request rate limit, random 500s, and
faults switched on for a while (``sim_common.fault_windows``)."""

import asyncio
import random
from dataclasses import dataclass, field

from sim_common.fault_windows import FaultWindows
from sim_common.rate_limit import RateLimiter


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
        if (fault := await self.windows.meet()) is not None:
            return int(fault.replace("xx", "00"))
        if not self.limiter.allow():
            return 429
        if self.error_rate and self.rng.random() < self.error_rate:
            return 500
        return None
