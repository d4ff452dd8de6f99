"""A request rate limit, as the real services' proxies enforce one."""

import time
from collections.abc import Callable


class RateLimiter:
    """Token bucket shared by every request: ``per_second`` sustained, bursts of one second's worth.

    Excess requests are refused at once (never queued), as a proxy's spike arrest does.
    ``per_second`` 0 means unlimited.
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
