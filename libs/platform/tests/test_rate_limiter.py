"""The shared token bucket: arithmetic on a hand-moved clock, pacing and rate changes on a fake
loop clock (``looptime``: waits take no real time and are measured exactly), several tokens at
once (one per recipient of a multi-number request)."""

import asyncio
import math

import pytest

from cohort_platform.rate_limiter import TokenBucket

from .fakes import SettableClock


def tokens_at_hand(bucket: TokenBucket) -> int:
    """Takes tokens until the bucket makes one wait; how many it granted at once."""
    granted = 0
    while bucket.try_acquire() == 0:
        granted += 1
    return granted


@pytest.mark.parametrize("rate", [5, 0.5])
def test_starts_empty_and_earns_tokens_at_the_rate(rate: float) -> None:
    clock = SettableClock()
    bucket = TokenBucket(rate, clock=clock)

    assert bucket.try_acquire() == pytest.approx(1 / rate)
    clock.advance(1 / rate)
    assert bucket.try_acquire() == 0
    assert bucket.try_acquire() == pytest.approx(1 / rate)


def test_a_bucket_can_start_with_its_whole_burst() -> None:
    clock = SettableClock()
    bucket = TokenBucket(2, burst_s=3, clock=clock, start_full=True)

    assert tokens_at_hand(bucket) == 6
    assert bucket.try_acquire() == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("rate", "burst"),
    [(5, 5), pytest.param(0.5, 1, id="below one per second, still one request")],
)
def test_idle_time_earns_at_most_one_second_of_requests(rate: float, burst: int) -> None:
    clock = SettableClock()
    bucket = TokenBucket(rate, clock=clock)
    clock.advance(60)

    assert tokens_at_hand(bucket) == burst


def test_a_rate_change_keeps_what_was_earned_and_applies_from_now() -> None:
    clock = SettableClock()
    bucket = TokenBucket(2, clock=clock)
    clock.advance(0.25)  # half a token at 2/s
    bucket.set_rate(1)

    assert bucket.rate == 1
    assert bucket.try_acquire() == pytest.approx(0.5)  # the other half, at 1/s
    clock.advance(0.5)
    assert bucket.try_acquire() == 0


def test_a_lower_rate_shrinks_the_burst() -> None:
    clock = SettableClock()
    bucket = TokenBucket(10, clock=clock)
    clock.advance(5)  # full: 10 tokens
    bucket.set_rate(2.5)

    assert tokens_at_hand(bucket) == 2


def test_several_tokens_are_taken_at_once() -> None:
    clock = SettableClock()
    bucket = TokenBucket(10, clock=clock)
    clock.advance(1)  # full: 10 tokens

    assert bucket.try_acquire(4) == 0
    assert bucket.try_acquire(6) == 0
    assert bucket.try_acquire(5) == pytest.approx(0.5)  # nothing taken by the refusal
    clock.advance(0.5)
    assert bucket.try_acquire(5) == 0


def test_more_tokens_than_the_bucket_holds_wait_for_a_full_bucket_then_leave_a_debt() -> None:
    clock = SettableClock()
    bucket = TokenBucket(20, clock=clock)  # holds 20 at most

    assert bucket.try_acquire(50) == pytest.approx(1.0)  # the wait for a full bucket
    clock.advance(1.0)
    assert bucket.try_acquire(50) == 0
    # 30 tokens owed: the next single token is 31 tokens (1.55 s at 20/s) away, so 50 per
    # 2.5 s on average, which is the rate.
    assert bucket.try_acquire() == pytest.approx(31 / 20)


@pytest.mark.parametrize("amount", [0, -2.0])
def test_the_amount_must_be_positive(amount: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(1).try_acquire(amount)


def test_a_token_earned_to_a_hair_is_a_token() -> None:
    clock = SettableClock()
    bucket = TokenBucket(50, clock=clock)
    clock.advance(0.02)  # 0.02 * 50 is 0.9999999999999998 in floating point
    assert bucket.try_acquire() == 0


@pytest.mark.parametrize("rate", [0, -1.0])
def test_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        TokenBucket(rate)
    bucket = TokenBucket(1)
    with pytest.raises(ValueError, match="positive"):
        bucket.set_rate(rate)


@pytest.mark.looptime
@pytest.mark.parametrize(
    ("rate", "requests", "tokens_each", "seconds"),
    [(50, 10, 1, 0.2), pytest.param(100, 3, 10, 0.3, id="large requests")],
)
async def test_acquire_paces_requests_at_the_rate(
    rate: float, requests: int, tokens_each: float, seconds: float
) -> None:
    loop = asyncio.get_running_loop()
    bucket = TokenBucket(rate, clock=loop.time)
    started = loop.time()
    await asyncio.gather(*(bucket.acquire(tokens_each) for _ in range(requests)))
    # requests * tokens_each tokens at the rate, from an empty bucket.
    assert loop.time() - started == pytest.approx(seconds, abs=1e-6)


@pytest.mark.looptime
async def test_raising_the_rate_wakes_a_waiting_request() -> None:
    loop = asyncio.get_running_loop()
    bucket = TokenBucket(0.2, clock=loop.time)  # the first token is 5 s away
    started = loop.time()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.05)
    assert not waiter.done()

    bucket.set_rate(100)
    await waiter
    # 0.01 of a token earned at 0.2/s, the other 0.99 at 100/s: not the 5 s it would have been.
    assert loop.time() - started == pytest.approx(0.05 + 0.0099, abs=1e-6)


@pytest.mark.looptime
async def test_lowering_the_rate_slows_requests_already_waiting() -> None:
    loop = asyncio.get_running_loop()
    bucket = TokenBucket(100, clock=loop.time)
    waiters = [asyncio.create_task(bucket.acquire()) for _ in range(3)]
    await asyncio.sleep(0)
    bucket.set_rate(5)
    started = loop.time()
    await asyncio.gather(*waiters)
    # Three tokens at 5/s, not at 100/s.
    assert loop.time() - started == pytest.approx(0.6, abs=1e-6)


@pytest.mark.looptime
async def test_a_cancelled_waiter_does_not_hold_up_the_next() -> None:
    bucket = TokenBucket(0.5)
    first = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.01)
    second = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.01)
    first.cancel()
    bucket.set_rate(100)
    await asyncio.wait_for(second, timeout=1)
    assert first.cancelled()


def test_a_grant_earns_until_its_end_then_nothing_and_drops_the_savings() -> None:
    clock = SettableClock()
    bucket = TokenBucket(5, clock=clock)
    bucket.grant(10, until=clock.now + 0.5)
    clock.advance(0.3)  # 3 tokens
    assert bucket.try_acquire() == 0
    assert bucket.granted

    clock.advance(0.2)

    assert not bucket.granted
    assert bucket.try_acquire() == math.inf
    clock.advance(60)
    assert bucket.try_acquire() == math.inf


def test_a_new_grant_starts_from_an_empty_bucket_after_the_last_one_ended() -> None:
    clock = SettableClock()
    bucket = TokenBucket(5, clock=clock)
    bucket.grant(10, until=clock.now + 1)
    clock.advance(5)  # the grant ended at 1 s with a full bucket, dropped then

    bucket.grant(10, until=clock.now + 1)

    assert bucket.try_acquire() == pytest.approx(0.1)


def test_revoke_stops_at_once_and_keeps_a_debt() -> None:
    clock = SettableClock()
    bucket = TokenBucket(10, clock=clock)
    clock.advance(1)
    assert bucket.try_acquire(30) == 0  # 20 owed

    bucket.revoke()

    assert bucket.try_acquire() == math.inf
    bucket.grant(10, until=math.inf)
    assert bucket.try_acquire() == pytest.approx(2.1)


def test_set_rate_keeps_the_end_of_a_grant() -> None:
    clock = SettableClock()
    bucket = TokenBucket(5, clock=clock)
    bucket.grant(5, until=clock.now + 1)
    bucket.set_rate(50)
    clock.advance(1)
    assert bucket.try_acquire() == math.inf


async def test_a_waiter_waits_through_a_revoke_and_goes_on_the_next_grant() -> None:
    bucket = TokenBucket(1000)
    bucket.revoke()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.05)
    assert not waiter.done()

    bucket.grant(1000, until=math.inf)

    await asyncio.wait_for(waiter, timeout=5)
