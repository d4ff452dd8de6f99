"""``ports.RateLimiter`` as a token bucket whose rate can change while tasks wait.

aiolimiter's ``AsyncLimiter`` cannot do this: ``max_rate`` is a public attribute, but the drip
rate is computed from it once, in ``__init__``, into a private slot, and a waiting task's wake-up
is already scheduled at the old rate. Changing it would mean writing aiolimiter's private state,
so this is a small bucket of our own instead.

Tokens accrue at ``rate`` per second up to ``rate * burst_s`` (never less than one, so rates
below 1/s still let a request through). The bucket starts empty: an instance that has just
started, often alongside others, earns its first requests rather than bursting. Waiters take
their turn in arrival order; a rate change wakes the one at the front to recompute its wait."""

import asyncio
import contextlib
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        requests_per_second: float,
        *,
        burst_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        _check_positive(requests_per_second)
        self._rate = requests_per_second
        self._burst_s = burst_s
        self._clock = clock
        self._tokens = 0.0
        self._updated = clock()
        self._turn = asyncio.Lock()
        self._rate_changed = asyncio.Event()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def capacity(self) -> float:
        return max(1.0, self._rate * self._burst_s)

    def set_rate(self, requests_per_second: float) -> None:
        _check_positive(requests_per_second)
        if requests_per_second == self._rate:
            return
        self._refill()  # what was earned so far was earned at the old rate
        self._rate = requests_per_second
        self._tokens = min(self._tokens, self.capacity)
        self._rate_changed.set()
        self._rate_changed = asyncio.Event()

    def try_acquire(self) -> float:
        """Takes a token and returns 0, or takes nothing and returns the seconds until one is
        due at the current rate."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self._rate

    async def acquire(self) -> None:
        async with self._turn:
            while (wait := self.try_acquire()) > 0:
                changed = self._rate_changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await changed.wait()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self._rate)
        self._updated = now


def _check_positive(requests_per_second: float) -> None:
    if not requests_per_second > 0:
        raise ValueError("a rate limit must be positive")
