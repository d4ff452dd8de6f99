"""The write and count shapes every store shares, on the in-process stand-in (the campaign and
record stores' tests run them on a real MongoDB where one is available)."""

import uuid

import pytest
from pymongo.errors import BulkWriteError

from cohort_mongo import DUPLICATE_KEY, MongoHandle, count_by, insert_if_new, insert_new, update_if
from cohort_testing.mongo_faults import WTIMEOUT, unconfirmed_inserts


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


async def test_of_a_batch_only_those_already_there_are_refused() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    things = mongo.db["things"]
    await things.insert_one({"_id": "b", "n": 1})
    batch = [{"_id": "a", "n": 2}, {"_id": "b", "n": 2}, {"_id": "c", "n": 2}]
    assert await insert_new(things, batch) == [1]
    assert await things.find({}).sort("_id", 1).to_list(None) == [
        {"_id": "a", "n": 2},
        {"_id": "b", "n": 1},
        {"_id": "c", "n": 2},
    ]
    await mongo.close()


async def test_a_batch_insert_the_replica_set_did_not_acknowledge_is_an_error() -> None:
    """A primary that applied the batch but could not have the write concern acknowledge it
    may roll it back: beside duplicates or alone, that error is raised, never taken as done."""
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    await mongo.db["things"].insert_one({"_id": "b"})
    with unconfirmed_inserts(mongo):
        things = mongo.db["things"]
        with pytest.raises(BulkWriteError) as beside_duplicates:
            await insert_new(things, [{"_id": "a"}, {"_id": "b"}])
        with pytest.raises(BulkWriteError) as alone:
            await insert_new(things, [{"_id": "c"}])
    assert [e["code"] for e in beside_duplicates.value.details["writeErrors"]] == [DUPLICATE_KEY]
    assert [e["code"] for e in alone.value.details["writeConcernErrors"]] == [WTIMEOUT["code"]]
    await mongo.close()
