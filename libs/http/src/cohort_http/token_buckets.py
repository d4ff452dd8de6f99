"""Per-client token buckets, in memory: enough to slow down someone guessing link tokens or
signing in over and over from one address (the gateway's link endpoints, the web app's sign-in).
Each process keeps its own buckets, so N replicas allow N times the rate. The bucket is the
platform's (``cohort_platform.rate_limiter``: one token bucket for every service, pure Python, no
broker); this module only keeps one per client, and only so many clients."""

import time
from collections import OrderedDict
from collections.abc import Callable

from cohort_platform.rate_limiter import TokenBucket


class TokenBuckets:
    """``rate_per_s`` tokens a second per key, up to ``burst`` saved up; a key seen for the first
    time starts with a full bucket. At most ``max_keys`` buckets are kept; the least recently
    used go first, so memory stays bounded whatever the number of addresses (a forgotten key
    starts again with a full bucket)."""

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = rate_per_s
        self._burst_s = burst / rate_per_s
        self._max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def take(self, key: str) -> float:
        """0 if ``key`` may go ahead (and a token is spent), else the seconds until it may."""
        bucket = self._buckets.pop(key, None) or TokenBucket(
            self._rate, burst_s=self._burst_s, clock=self._clock, start_full=True
        )
        self._buckets[key] = bucket  # most recently used last
        while len(self._buckets) > self._max_keys:
            self._buckets.popitem(last=False)
        return bucket.try_acquire()
