"""Group commit: one write per batch, and nobody answered before their item is written."""

import asyncio

import pytest

from cohort_platform.group_commit import GroupCommit, Overloaded


class Writes:
    def __init__(self) -> None:
        self.batches: list[tuple[str, list[int]]] = []
        self.fail_next = False
        self.gate = asyncio.Event()
        self.gate.set()
        #: Set once a write has begun (and is held at the gate, if it is closed).
        self.started = asyncio.Event()

    async def __call__(self, key: str, items: list[int]) -> None:
        self.started.set()
        await self.gate.wait()
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("broker away")
        self.batches.append((key, list(items)))


async def test_items_arriving_together_are_written_in_full_batches() -> None:
    writes = Writes()
    group = GroupCommit(writes, max_items=4, max_wait_s=60, max_pending=100)
    await asyncio.gather(*(group.submit("A81001", n) for n in range(8)))
    assert writes.batches == [("A81001", [0, 1, 2, 3]), ("A81001", [4, 5, 6, 7])]
    assert group.pending == 0


async def test_a_lone_item_is_written_once_its_wait_is_up() -> None:
    writes = Writes()
    group = GroupCommit(writes, max_items=100, max_wait_s=0.01, max_pending=100)
    await asyncio.wait_for(group.submit("A81001", 1), timeout=5)
    assert writes.batches == [("A81001", [1])]


async def test_each_key_gets_its_own_batches() -> None:
    writes = Writes()
    group = GroupCommit(writes, max_items=2, max_wait_s=0.01, max_pending=100)
    await asyncio.gather(*(group.submit(org, n) for n, org in enumerate(["A", "B", "A", "B"])))
    assert sorted(writes.batches) == [("A", [0, 2]), ("B", [1, 3])]


async def test_nobody_returns_before_the_write_and_all_see_its_failure() -> None:
    writes = Writes()
    writes.gate.clear()
    writes.fail_next = True
    group = GroupCommit(writes, max_items=3, max_wait_s=60, max_pending=100)
    callers = [asyncio.create_task(group.submit("A", n)) for n in range(3)]
    await writes.started.wait()
    assert not any(c.done() for c in callers)  # the write is under way, not yet done
    writes.gate.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert writes.batches == []
    assert group.pending == 0


async def test_a_caller_that_gives_up_does_not_stop_the_others_write() -> None:
    writes = Writes()
    writes.gate.clear()
    group = GroupCommit(writes, max_items=2, max_wait_s=60, max_pending=100)
    quitter = asyncio.create_task(group.submit("A", 1))
    stayer = asyncio.create_task(group.submit("A", 2))
    await writes.started.wait()  # the quitter's item is in the write it gives up on
    quitter.cancel()
    writes.gate.set()
    await stayer
    assert writes.batches == [("A", [1, 2])]


async def test_too_many_waiting_is_refused_at_once() -> None:
    writes = Writes()
    writes.gate.clear()
    group = GroupCommit(writes, max_items=100, max_wait_s=60, max_pending=2)
    waiting = [asyncio.create_task(group.submit("A", n)) for n in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(Overloaded):
        await group.submit("A", 3)
    closing = asyncio.create_task(group.close())  # writes what is open, then waits for it
    await writes.started.wait()
    assert not closing.done()
    writes.gate.set()
    await closing
    await asyncio.gather(*waiting)
    assert writes.batches == [("A", [0, 1])]
