"""Coroutines interleave between operations as clients of one server do: every operation
awaits once first, each single-document write is atomic, races have one winner."""

import asyncio

import pytest
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from cohort_standin import StandinCollection


async def test_racing_find_one_and_update_has_one_winner(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": "job", "owner": None})

    async def claim(worker: int) -> bool:
        taken = await coll.find_one_and_update(
            {"_id": "job", "owner": None},
            {"$set": {"owner": worker}},
            return_document=ReturnDocument.AFTER,
        )
        return taken is not None

    wins = await asyncio.gather(*(claim(w) for w in range(20)))
    assert wins.count(True) == 1
    doc = await coll.find_one({"_id": "job"})
    assert doc is not None
    assert doc["owner"] == wins.index(True)


async def test_racing_conditional_updates_never_both_win(coll: StandinCollection) -> None:
    await coll.insert_many([{"_id": i, "status": "READY"} for i in range(50)])

    async def move(to: str) -> list[int]:
        moved = []
        for i in range(50):
            result = await coll.update_one({"_id": i, "status": "READY"}, {"$set": {"status": to}})
            moved += [i] * result.modified_count
        return moved

    a, b = await asyncio.gather(move("A"), move("B"))
    assert not set(a) & set(b)
    assert sorted(a + b) == list(range(50))


async def test_racing_inserts_on_a_unique_index_have_one_winner(coll: StandinCollection) -> None:
    await coll.create_index([("campaign", 1), ("nhs", 1)], unique=True)

    async def insert(i: int) -> bool:
        try:
            await coll.insert_one({"_id": i, "campaign": "c", "nhs": "943"})
        except DuplicateKeyError:
            return False
        return True

    assert (await asyncio.gather(*(insert(i) for i in range(25)))).count(True) == 1
    assert await coll.count_documents({"nhs": "943"}) == 1


async def test_racing_upserts_make_one_document(coll: StandinCollection) -> None:
    await asyncio.gather(
        *(coll.update_one({"_id": "k"}, {"$inc": {"n": 1}}, upsert=True) for _ in range(10))
    )
    assert await coll.find_one({"_id": "k"}) == {"_id": "k", "n": 10}


async def test_every_operation_yields_to_other_coroutines(coll: StandinCollection) -> None:
    log: list[str] = []

    async def writer(name: str) -> None:
        for i in range(3):
            await coll.insert_one({"_id": f"{name}{i}"})
            log.append(name)

    await asyncio.gather(writer("a"), writer("b"))
    assert log == ["a", "b", "a", "b", "a", "b"]


async def test_a_cursor_sees_writes_made_between_its_batches(coll: StandinCollection) -> None:
    await coll.insert_many([{"_id": i} for i in range(4)])
    cursor = coll.find({}).sort("_id").batch_size(2)
    first = [await cursor.next(), await cursor.next()]
    await coll.insert_one({"_id": 10})
    await coll.delete_one({"_id": 3})
    rest = await cursor.to_list(None)
    assert [d["_id"] for d in first + rest] == [0, 1, 2, 10]


async def test_update_many_is_atomic_per_document_not_as_a_whole(
    coll: StandinCollection,
) -> None:
    await coll.insert_many([{"_id": i, "s": "ready"} for i in range(2500)])
    seen_midway: list[int] = []

    async def watch() -> None:
        seen_midway.append(await coll.count_documents({"s": "done"}))

    updated, _ = await asyncio.gather(
        coll.update_many({"s": "ready"}, {"$set": {"s": "done"}}), watch()
    )
    assert updated.modified_count == 2500
    assert 0 < seen_midway[0] < 2500  # the server yields within a multi-document write


@pytest.mark.parametrize("ordered", [True, False])
async def test_insert_many_into_a_unique_index_from_two_coroutines(
    coll: StandinCollection, ordered: bool
) -> None:
    from pymongo.errors import BulkWriteError

    await coll.create_index("k", unique=True)

    async def insert(offset: int) -> int:
        try:
            result = await coll.insert_many(
                [{"_id": offset + i, "k": i} for i in range(100)], ordered=ordered
            )
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            return int(exc.details["nInserted"])

    counts = await asyncio.gather(insert(0), insert(1000))
    assert sum(counts) == 100
    assert await coll.count_documents({}) == 100
