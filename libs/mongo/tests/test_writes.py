"""The write and count shapes every store shares, on the in-process stand-in (the campaign and
record stores' tests run them on a real MongoDB where one is available)."""

import uuid

from cohort_mongo import MongoHandle, count_by, insert_if_new, update_if


async def test_only_the_first_of_two_racing_changes_from_a_state_makes_it() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    things = mongo.db["things"]
    await things.insert_one({"_id": "a", "state": "ready"})
    guard = {"_id": "a", "state": "ready"}
    assert await update_if(things, guard, {"$set": {"state": "sent"}})
    assert not await update_if(things, guard, {"$set": {"state": "sent"}})
    assert await things.find_one({"_id": "a"}) == {"_id": "a", "state": "sent"}
    await mongo.close()


async def test_an_update_that_leaves_the_document_as_it_was_is_not_a_change() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    things = mongo.db["things"]
    await things.insert_one({"_id": "a", "state": "sent"})
    assert not await update_if(things, {"_id": "a"}, {"$set": {"state": "sent"}})
    await mongo.close()


async def test_a_repeated_insert_writes_nothing() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    things = mongo.db["things"]
    assert await insert_if_new(things, {"_id": "a", "n": 1})
    assert not await insert_if_new(things, {"_id": "a", "n": 2})
    assert await things.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
    await mongo.close()


async def test_documents_are_counted_by_a_value_of_those_matched() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    things = mongo.db["things"]
    await things.insert_many(
        [
            {"org": "A", "state": "sent"},
            {"org": "A", "state": "sent"},
            {"org": "A", "state": "failed"},
            {"org": "B", "state": "sent"},
        ]
    )
    assert sorted(await count_by(things, {"org": "A"}, "$state")) == [("failed", 1), ("sent", 2)]
    by_both = await count_by(things, {}, {"o": "$org", "s": "$state"})
    assert sorted((k["o"], k["s"], n) for k, n in by_both) == [
        ("A", "failed", 1),
        ("A", "sent", 2),
        ("B", "sent", 1),
    ]
    await mongo.close()
