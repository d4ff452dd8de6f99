"""``BusyRateSharer`` on a hand-moved clock and a fake presence: it registers when asked for
requests, takes its share after the join wait, withdraws after the linger (share first), stops
when the count cannot be read, and starts again when its registration is lost."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import pytest
from prometheus_client import CollectorRegistry, Gauge

from cohort_platform.busy_sharing import BusyRateSharer, SharingTimes

from .fakes import FakePresence, FakeRegistry, SettableClock

TOTAL = 6.0
TIMES = SharingTimes(lease_s=0.5, period_s=0.1, linger_s=0.5)
WAIT = 2 * TIMES.lease_s


def make_sharer(
    presence: FakePresence,
    clock: SettableClock,
    rate_gauge: Gauge | None = None,
    instances_gauge: Gauge | None = None,
) -> BusyRateSharer:
    return BusyRateSharer(
        presence,
        total_rate=TOTAL,
        name="test",
        times=TIMES,
        clock=clock,
        rate_gauge=rate_gauge,
        instances_gauge=instances_gauge,
    )


def sharer_on_fakes() -> tuple[FakeRegistry, SettableClock, FakePresence, BusyRateSharer]:
    """A sharer on its own registry, presence and hand-moved clock, each returned for the test
    to drive and inspect."""
    registry, clock = FakeRegistry(), SettableClock()
    presence = FakePresence(registry)
    return registry, clock, presence, make_sharer(presence, clock)


@asynccontextmanager
async def asking(sharer: BusyRateSharer) -> AsyncIterator[asyncio.Task[None]]:
    """A request waiting for the sharer, as a service's call would (cancelled on exit)."""
    waiter = asyncio.create_task(sharer.acquire())
    await asyncio.sleep(0)
    try:
        yield waiter
    finally:
        waiter.cancel()
        await asyncio.gather(waiter, return_exceptions=True)


async def run_for(sharer: BusyRateSharer, clock: SettableClock, seconds: float) -> None:
    """Steps every period, as ``start`` would, for ``seconds`` of the hand-moved clock."""
    for _ in range(round(seconds / TIMES.period_s)):
        clock.advance(TIMES.period_s)
        await sharer.step()


async def joined_alone(sharer: BusyRateSharer, clock: SettableClock) -> None:
    """Asked for a request, it registers, and after the join wait, alone, takes the whole
    limit: where most tests start from."""
    await sharer.step()
    await run_for(sharer, clock, WAIT)
    assert sharer.rate == TOTAL


@contextmanager
def others(registry: FakeRegistry, *names: str) -> Iterator[None]:
    registry.registered.update(names)
    yield
    registry.registered.difference_update(names)


async def test_without_demand_it_neither_registers_nor_reads() -> None:
    presence = FakePresence(FakeRegistry())
    sharer = make_sharer(presence, SettableClock())

    await sharer.step()

    assert presence.calls == []
    assert sharer.rate == 0
    assert not sharer.joined


async def test_asked_for_a_request_it_registers_and_takes_its_share_after_the_join_wait() -> None:
    registry, clock = FakeRegistry(), SettableClock()
    presence = FakePresence(registry)
    collectors = CollectorRegistry()
    rate = Gauge("test_rate", "rate", registry=collectors)
    instances = Gauge("test_instances", "instances", registry=collectors)
    sharer = make_sharer(presence, clock, rate_gauge=rate, instances_gauge=instances)

    with others(registry, "other"):
        async with asking(sharer):
            await sharer.step()
            assert presence.calls == ["join", "busy"]
            assert sharer.joined
            assert sharer.busy_instances == 2
            await run_for(sharer, clock, WAIT - TIMES.period_s)
            assert sharer.rate == 0  # the other instance may not have counted us yet

            await run_for(sharer, clock, TIMES.period_s)

            assert sharer.rate == TOTAL / 2
            assert collectors.get_sample_value("test_rate") == TOTAL / 2
            assert collectors.get_sample_value("test_instances") == 2


async def test_alone_it_takes_the_whole_limit() -> None:
    _registry, clock, _presence, sharer = sharer_on_fakes()

    async with asking(sharer):
        await joined_alone(sharer, clock)


async def test_the_share_falls_at_once_when_another_instance_registers() -> None:
    registry, clock, _presence, sharer = sharer_on_fakes()
    async with asking(sharer):
        await joined_alone(sharer, clock)

        with others(registry, "b", "c"):
            await run_for(sharer, clock, TIMES.period_s)

            assert sharer.rate == TOTAL / 3


async def test_it_withdraws_after_the_linger_and_revokes_its_share_first() -> None:
    registry, clock, presence, sharer = sharer_on_fakes()
    rate_at_leave: list[float] = []
    presence.on_leave = lambda: rate_at_leave.append(sharer.rate)
    async with asking(sharer):
        await joined_alone(sharer, clock)
    assert sharer.rate == TOTAL  # the share outlasts the request, until the linger

    await run_for(sharer, clock, TIMES.linger_s - TIMES.period_s)
    assert sharer.joined  # a next batch within the linger keeps the share
    await run_for(sharer, clock, TIMES.period_s)

    assert not sharer.joined
    assert rate_at_leave == [0.0]
    assert registry.registered == set()
    assert sharer.rate == 0


async def test_a_read_that_fails_ends_the_share_one_lease_after_the_last_good_read() -> None:
    _registry, clock, presence, sharer = sharer_on_fakes()

    async def fail_to_count() -> int:
        raise TimeoutError

    async with asking(sharer):
        await joined_alone(sharer, clock)
        presence.busy = fail_to_count  # type: ignore[method-assign]

        clock.advance(TIMES.lease_s - 0.01)  # the bucket stops by itself, without a step
        assert sharer.rate == TOTAL
        clock.advance(0.01)
        assert sharer.rate == 0

        await run_for(sharer, clock, 1.0)
        assert sharer.rate == 0
        assert sharer.joined  # still registered: the connection is there


async def test_a_lost_registration_is_dropped_and_made_again_with_the_join_wait() -> None:
    _registry, clock, presence, sharer = sharer_on_fakes()
    async with asking(sharer):
        await joined_alone(sharer, clock)

        presence.broken = True  # the connection is gone, and the registration with it
        await run_for(sharer, clock, TIMES.period_s)
        assert not sharer.joined
        assert sharer.rate == 0
        assert presence.calls[-1] == "aclose"

        presence.broken = False
        await run_for(sharer, clock, TIMES.period_s)
        assert sharer.joined
        assert sharer.rate == 0
        await run_for(sharer, clock, WAIT)
        assert sharer.rate == TOTAL


async def test_a_count_without_this_instance_means_the_registration_is_gone() -> None:
    _registry, clock, presence, sharer = sharer_on_fakes()

    async def nobody() -> int:
        return 0

    async with asking(sharer):
        await sharer.step()
        presence.busy = nobody  # type: ignore[method-assign]
        await run_for(sharer, clock, TIMES.period_s)

    assert not sharer.joined
    assert "aclose" in presence.calls


async def test_a_failed_join_is_tried_again() -> None:
    presence = FakePresence(FakeRegistry(), broken=True)
    clock = SettableClock()
    sharer = make_sharer(presence, clock)
    async with asking(sharer):
        await sharer.step()
        assert not sharer.joined
        assert presence.calls == ["join", "aclose"]

        presence.broken = False
        await run_for(sharer, clock, TIMES.period_s)
        assert sharer.joined


async def test_stop_withdraws_and_closes() -> None:
    registry, _clock, presence, sharer = sharer_on_fakes()
    async with asking(sharer):
        await sharer.step()
        await sharer.stop()

    assert presence.calls[-2:] == ["leave", "aclose"]
    assert registry.registered == set()
    assert sharer.rate == 0


async def test_start_registers_on_the_first_request_and_grants_it() -> None:
    # On the real clock: a short lease so the join wait is brief.
    presence = FakePresence(FakeRegistry())
    sharer = BusyRateSharer(
        presence,
        total_rate=1000.0,
        name="test",
        times=SharingTimes(lease_s=0.05, period_s=0.01, linger_s=0.05),
    )
    await sharer.start()
    try:
        await asyncio.sleep(0.05)
        assert presence.calls == []  # nobody asked yet
        await asyncio.wait_for(sharer.acquire(), timeout=5)
        assert presence.calls[0] == "join"
    finally:
        await sharer.stop()


@pytest.mark.parametrize(
    ("lease", "period", "linger"), [(0.5, 0.5, 0.5), (0.5, 0.0, 0.5), (0.5, 0.1, -1.0)]
)
def test_times_that_would_leave_gaps_are_refused(
    lease: float, period: float, linger: float
) -> None:
    with pytest.raises(ValueError, match=r"period|linger"):
        SharingTimes(lease_s=lease, period_s=period, linger_s=linger)
