"""A token bucket whose rate can change while tasks wait (``rate_sharing.RateSharer`` changes it).

aiolimiter's ``AsyncLimiter`` cannot do this: ``max_rate`` is a public attribute, but the drip
rate is computed from it once, in ``__init__``, into a private slot, and a waiting task's wake-up
is already scheduled at the old rate. Changing it would mean writing aiolimiter's private state,
so this is a small bucket of our own instead.

Tokens accrue at ``rate`` per second up to ``rate * burst_s`` (never less than one, so rates
below 1/s still let a request through). The bucket starts empty: an instance that has just
started, often alongside others, earns its first requests rather than bursting. Waiters take
their turn in arrival order; a rate change wakes the one at the front to recompute its wait.
``start_full`` gives a new bucket its whole burst at once instead, for a limit per client
(the gateway's per-address buckets), where a client seen for the first time may burst.

``acquire(amount)`` takes several tokens at once (dispatch counts one per recipient of a
Firetext request that names up to 50 numbers). A request larger than the bucket can ever hold
waits for a full bucket and then leaves it in debt, so the rate over time still holds.

A rate can also be *granted until* a moment (``grant``), for a share that is only good while
the count it came from is fresh (``busy_sharing``): at that moment the bucket stops earning and
drops what it saved, and ``acquire`` waits until the next grant. ``revoke`` does the same at
once. ``set_rate`` leaves that moment as it is (never, unless a grant set one)."""

import asyncio
import contextlib
import math
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self,
        requests_per_second: float,
        *,
        burst_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        start_full: bool = False,
    ) -> None:
        _check_positive(requests_per_second)
        self._rate = requests_per_second
        self._burst_s = burst_s
        self._clock = clock
        self._tokens = self.capacity if start_full else 0.0
        self._updated = clock()
        #: The clock's time from which nothing is earned or granted until the next ``grant``.
        self._until = math.inf
        self._turn = asyncio.Lock()
        self._rate_changed = asyncio.Event()

    @property
    def rate(self) -> float:
        return self._rate

    @property
    def capacity(self) -> float:
        return max(1.0, self._rate * self._burst_s)

    @property
    def granted(self) -> bool:
        """Whether tokens are being earned now (not past a grant's end, nor revoked)."""
        return self._clock() < self._until

    def set_rate(self, requests_per_second: float) -> None:
        _check_positive(requests_per_second)
        if requests_per_second == self._rate:
            return
        self._refill()  # what was earned so far was earned at the old rate
        self._rate = requests_per_second
        self._tokens = min(self._tokens, self.capacity)
        self._wake()

    def grant(self, requests_per_second: float, *, until: float) -> None:
        """``requests_per_second`` from now until ``until`` (the clock's time), then nothing
        until the next grant. Tokens saved so far are kept, up to the new rate's burst."""
        _check_positive(requests_per_second)
        self._refill()
        self._rate = requests_per_second
        self._tokens = min(self._tokens, self.capacity)
        self._until = until
        self._wake()

    def revoke(self) -> None:
        """Nothing is granted from now until the next ``grant``; what was saved is dropped."""
        self._refill()
        self._until = self._updated
        self._tokens = min(self._tokens, 0.0)  # a debt is still owed
        self._wake()

    def try_acquire(self, amount: float = 1.0) -> float:
        """Takes ``amount`` tokens and returns 0, or takes nothing and returns the seconds until
        they are due at the current rate (``math.inf`` while nothing is granted)."""
        if not amount > 0:
            raise ValueError("the amount must be positive")
        self._refill()
        if self._updated >= self._until:
            return math.inf
        needed = min(amount, self.capacity)
        if self._tokens >= needed - _ROUNDING:
            self._tokens -= amount
            return 0.0
        return (needed - self._tokens) / self._rate

    async def acquire(self, amount: float = 1.0) -> None:
        async with self._turn:
            while (wait := self.try_acquire(amount)) > 0:
                changed = self._rate_changed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(None if math.isinf(wait) else wait):
                        await changed.wait()

    def _wake(self) -> None:
        """The waiter at the front recomputes its wait."""
        self._rate_changed.set()
        self._rate_changed = asyncio.Event()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, min(now, self._until) - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self._rate)
        if now >= self._until:
            self._tokens = min(self._tokens, 0.0)
        self._updated = now


#: Tokens earned as elapsed * rate land a hair short of a whole number (0.02 s * 50/s is
#: 0.9999999999999998); without this slack a waiter would wait again for a fraction of a
#: nanosecond, and on a clock that does not move that finely (a test's loop clock) for ever.
_ROUNDING = 1e-9


def _check_positive(requests_per_second: float) -> None:
    if not requests_per_second > 0:
        raise ValueError("a rate limit must be positive")
