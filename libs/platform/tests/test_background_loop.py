"""The background loop: again at once while busy, on a wake-up or after the idle wait otherwise,
and a capped, doubling back-off after failures that never ends it."""

import asyncio

import pytest

from cohort_platform.background_loop import BackgroundLoop


async def test_it_runs_again_at_once_while_busy_and_when_woken() -> None:
    passes: list[int] = []

    async def step() -> bool:
        passes.append(len(passes))
        return len(passes) < 3  # busy for the first two passes

    errors: list[float] = []
    loop = BackgroundLoop("test", step, idle_s=60.0, on_error=lambda _, s: errors.append(s))
    loop.start()
    await asyncio.sleep(0.05)
    assert len(passes) == 3  # then idle, for a minute
    loop.wake.set()
    await asyncio.sleep(0.05)
    assert len(passes) == 4
    assert not loop.wake.is_set()
    await loop.stop()
    await loop.stop()  # stopping twice is harmless
    assert errors == []


async def test_failures_back_off_doubling_up_to_the_cap_and_reset_after_a_success(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three failures, a busy success, a failure; then idle.
    outcomes: list[Exception | None] = [ConnectionError(), TimeoutError(), OSError(), None]
    outcomes.append(ConnectionError())
    real_sleep = asyncio.sleep
    waits: list[float] = []

    async def step() -> bool:
        if not outcomes:
            return False
        if (error := outcomes.pop(0)) is not None:
            raise error
        return True

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    retries: list[float] = []
    loop = BackgroundLoop(
        "test", step, idle_s=60.0, on_error=lambda _, s: retries.append(s), max_backoff_s=1.5
    )
    monkeypatch.setattr(asyncio, "sleep", sleep)
    loop.start()
    await real_sleep(0.05)
    monkeypatch.undo()
    await loop.stop()
    assert retries == [0.5, 1.0, 1.5, 0.5]
    assert waits == retries
