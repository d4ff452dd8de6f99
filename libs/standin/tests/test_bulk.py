"""bulk_write and insert_many: PyMongo's runs, results and BulkWriteError details."""

import pytest
from pymongo import DeleteMany, DeleteOne, InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, InvalidOperation

from cohort_standin import StandinCollection


async def test_a_mixed_bulk_write_reports_every_count(coll: StandinCollection) -> None:
    await coll.insert_many([{"_id": i, "s": "ready"} for i in range(4)])
    result = await coll.bulk_write(
        [
            InsertOne({"_id": 10, "s": "new"}),
            UpdateOne({"_id": 0, "s": "ready"}, {"$set": {"s": "queued"}}),
            UpdateOne({"_id": 0, "s": "ready"}, {"$set": {"s": "queued"}}),  # no longer ready
            UpdateMany({"s": "ready"}, {"$set": {"s": "held"}}),
            UpdateOne({"_id": 20}, {"$set": {"s": "upserted"}}, upsert=True),
            ReplaceOne({"_id": 10}, {"s": "replaced"}),
            DeleteOne({"_id": 3}),
            DeleteMany({"s": "nothing"}),
        ]
    )
    assert result.bulk_api_result == {
        "writeErrors": [], "writeConcernErrors": [], "nInserted": 1, "nUpserted": 1,
        "nMatched": 5, "nModified": 5, "nRemoved": 1, "upserted": [{"index": 4, "_id": 20}],
    }  # fmt: skip
    assert result.upserted_ids == {4: 20}
    assert sorted((d["_id"], d["s"]) for d in await coll.find().to_list(None)) == [
        (0, "queued"), (1, "held"), (2, "held"), (10, "replaced"), (20, "upserted"),
    ]  # fmt: skip


async def test_ordered_stops_at_the_first_error(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1})
    with pytest.raises(BulkWriteError) as caught:
        await coll.insert_many([{"_id": 0}, {"_id": 1}, {"_id": 2}])
    details = caught.value.details
    assert caught.value.code == 65
    assert details["nInserted"] == 1
    assert [(e["index"], e["code"], e["op"]) for e in details["writeErrors"]] == [
        (1, 11000, {"_id": 1})
    ]
    assert details["writeErrors"][0]["keyValue"] == {"_id": 1}
    assert await coll.count_documents({}) == 2


async def test_unordered_goes_on_and_reports_each_error(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1})
    with pytest.raises(BulkWriteError) as caught:
        await coll.bulk_write(
            [
                UpdateOne({"_id": 1}, {"$inc": {"n": "x"}}),
                InsertOne({"_id": 1}),
                InsertOne({"_id": 2}),
                UpdateOne({"_id": 2}, {"$set": {"n": 1}}),
            ],
            ordered=False,
        )
    details = caught.value.details
    assert (details["nInserted"], details["nMatched"], details["nModified"]) == (1, 1, 1)
    errors = details["writeErrors"]
    assert [(e["index"], e["code"]) for e in errors] == [(0, 14), (1, 11000)]
    assert errors[0]["op"] == {"q": {"_id": 1}, "u": {"$inc": {"n": "x"}}, "multi": False,
                               "upsert": False}  # fmt: skip


async def test_unordered_runs_inserts_before_updates(coll: StandinCollection) -> None:
    # PyMongo sends an unordered bulk write's inserts first, then updates, then deletes.
    result = await coll.bulk_write(
        [UpdateOne({"_id": 1}, {"$set": {"seen": True}}), InsertOne({"_id": 1})], ordered=False
    )
    assert result.matched_count == 1
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "seen": True}


async def test_insert_many_gives_ids_and_needs_documents(coll: StandinCollection) -> None:
    docs: list[dict[str, int]] = [{"a": 1}, {"a": 2}]
    result = await coll.insert_many(docs)
    assert result.inserted_ids == [d["_id"] for d in docs]
    with pytest.raises(TypeError):
        await coll.insert_many([])
    with pytest.raises(InvalidOperation):
        await coll.bulk_write([])
    with pytest.raises(TypeError):
        await coll.bulk_write([{"insert": 1}])
