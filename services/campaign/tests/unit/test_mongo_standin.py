"""The stand-in's short cuts answer exactly what mongomock answers without them."""

import threading
from datetime import UTC, datetime
from typing import Any

import mongomock
import pytest
from mongomock import filtering

from campaign.adapters.mongo_standin import StandinClient
from campaign.adapters.mongo_standin_query import speed_up

VALUES: list[Any] = ["a", "b", "", "ready", 1, 2, 0, True, 1.5, None, ["a", "b"], ["ready"], []]
VALUES += [{"x": "a"}, datetime(2026, 1, 1)]  # mongomock keeps naive UTC


def documents() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for i, a in enumerate(VALUES):
        for j, b in enumerate(VALUES):
            doc: dict[str, Any] = {"_id": f"d{i:02d}{j:02d}", "n": i * 100 + j}
            if i:  # the first of each field's values is left out: a missing field
                doc["a"] = a
            if j:
                doc["b"] = b
            docs.append(doc)
    return docs


QUERIES: list[dict[str, Any]] = [
    {},
    {"a": "a"},
    {"a": "a", "b": "ready"},
    {"a": "ready", "b": {"$ne": None}},
    {"a": {"$ne": None}},
    {"b": {"$in": ["a", "ready"]}},
    {"b": {"$in": []}},
    {"a": {"$gt": "a"}},
    {"a": {"$lte": "b"}, "b": {"$gte": ""}},
    {"a": {"$gt": 0}},
    {"a": {"$lt": 2, "$gte": 1}},
    {"a": {"$in": ["a"], "$ne": None}},
    {"a": None},
    {"a": "a", "b": None},
    {"a": "a", "$or": [{"b": "a"}, {"b": 1}]},
    {"a": {"x": "a"}},
    {"a": "b", "b": {"$exists": False}},
    {"_id": "d0102"},
    {"_id": "nothing"},
    {"_id": {"$in": ["d0304", "d0102", "nothing", "d0102"]}},
    {"_id": {"$in": ["d0304", "d0102"]}, "a": "b"},
    {"_id": {"$in": []}},
]


PIPELINES: list[list[dict[str, Any]]] = [
    [{"$match": {"b": {"$ne": None}}}, {"$group": {"_id": "$a", "n": {"$sum": 1}}}],
    [{"$match": {"a": "a"}}, {"$group": {"_id": None, "b": {"$push": "$b"}}}],
    [{"$match": {"a": {"$in": ["a", "b"]}}}, {"$sort": {"n": -1}}, {"$limit": 3}],
    [{"$match": {}}, {"$group": {"_id": "$b", "n": {"$sum": "$n"}}}, {"$match": {"n": 2}}],
    [{"$group": {"_id": "$a", "n": {"$sum": 1}}}],
]


@pytest.fixture
def collections() -> tuple[Any, Any]:
    """The same documents in plain mongomock and in a sped-up collection."""
    plain: Any = mongomock.MongoClient().db.docs
    fast: Any = mongomock.MongoClient().db.docs
    speed_up(fast)
    plain.insert_many(documents())
    fast.insert_many(documents())
    return plain, fast


@pytest.mark.parametrize("query", QUERIES)
def test_matching_is_mongomocks(collections: tuple[Any, Any], query: dict[str, Any]) -> None:
    plain, fast = collections
    applies: Any = filtering.filter_applies
    expected = [d["_id"] for d in documents() if applies(query, d)]
    found = [d["_id"] for d in fast._iter_documents(query)]
    if "_id" in query:
        expected.sort()  # looked up by _id, found in _id order (as an _id index scan is)
    assert found == expected
    assert fast.count_documents(query) == plain.count_documents(query)


def test_updates_and_deletes_use_the_same_matching(collections: tuple[Any, Any]) -> None:
    for coll in collections:
        coll.update_many({"a": "a", "b": {"$ne": None}}, {"$set": {"hit": 1}})
        coll.update_one({"_id": "d0203", "a": "b"}, {"$set": {"hit": 2}})
        coll.delete_one({"_id": {"$in": ["d0304"]}, "b": "b"})
    plain, fast = collections
    assert list(fast.find()) == list(plain.find())


@pytest.mark.parametrize(
    "sort",
    [
        [("a", 1)],
        [("a", -1), ("_id", 1)],
        [("b", 1), ("a", -1)],
        [("n", -1)],
        [("_id", 1), ("n", 1)],
        {"b": -1, "n": 1},
    ],
)
async def test_cursors_sort_skip_and_limit_as_mongomock_does(
    collections: tuple[Any, Any], sort: list[tuple[str, int]]
) -> None:
    plain, _ = collections
    client = StandinClient()
    standin = client["db"]["docs"]
    await standin.insert_many(documents())
    for query in ({}, {"a": "a"}, {"a": {"$in": ["a", "b"]}}, {"b": {"$ne": None}}):
        expected = list(plain.find(query).sort(sort).skip(3).limit(20))
        assert await standin.find(query).sort(sort).skip(3).limit(20).to_list(None) == expected
        expected = list(plain.find(query, {"n": 1}).sort(sort))
        assert [d async for d in standin.find(query, {"n": 1}, batch_size=7).sort(sort)] == expected
    client.close()


async def test_sorting_strings_or_integers_alone_orders_as_bson() -> None:
    client = StandinClient()
    plain: Any = mongomock.MongoClient().db.docs
    docs = [
        {"_id": f"{i:03d}", "s": s, "i": n}
        for i, (s, n) in enumerate(zip("bCa-éAB", [3, -1, 20, 3, 0, 7, 2], strict=True))
    ]
    plain.insert_many([dict(d) for d in docs])
    await client["db"]["docs"].insert_many([dict(d) for d in docs])
    for sort in ([("s", 1)], [("s", -1)], [("i", 1), ("s", -1)], [("i", -1)]):
        expected = list(plain.find().sort(sort))
        assert await client["db"]["docs"].find().sort(sort).to_list(None) == expected
    client.close()


async def test_find_one_aggregate_and_errors_as_mongomock() -> None:
    client = StandinClient()
    plain: Any = mongomock.MongoClient().db.docs
    plain.insert_many(documents())
    standin = client["db"]["docs"]
    await standin.insert_many(documents())
    assert await standin.find_one({"a": "b"}, {"b": 1}) == plain.find_one({"a": "b"}, {"b": 1})
    assert await standin.find_one("d0102") == plain.find_one("d0102")
    assert await standin.find_one({"a": "nothing"}) is None
    for pipeline in PIPELINES:
        found = [d async for d in await standin.aggregate(pipeline)]
        assert sorted(found, key=repr) == sorted(plain.aggregate(pipeline), key=repr)
    grouped = await (await standin.aggregate(PIPELINES[1])).to_list()
    for value in grouped[0]["b"]:
        if isinstance(value, list | dict):
            value.clear()  # a copy: the stored documents do not change
    assert await standin.find().to_list() == list(plain.find())
    with pytest.raises(mongomock.DuplicateKeyError):
        await standin.insert_one({"_id": "d0102"})
    client.close()


async def test_counting_groups_as_mongomock_does() -> None:
    client = StandinClient()
    plain: Any = mongomock.MongoClient().db.docs
    statuses = ["ready", "sent", None, "ready", "failed", "", "ready", "sent"]
    docs: list[dict[str, Any]] = [
        {"_id": str(i), "c": "x" if i % 3 else "y", **({} if i % 5 == 4 else {"s": s})}
        for i, s in enumerate(statuses * 3)
    ]
    plain.insert_many([dict(d) for d in docs])
    await client["db"]["docs"].insert_many([dict(d) for d in docs])
    for group in (
        {"_id": "$s", "n": {"$sum": 1}},
        {"_id": "$s", "n": {"$sum": 2}, "m": {"$sum": 1}},
        {"_id": "$c", "n": {"$sum": 1}},
        {"_id": "$missing", "n": {"$sum": 1}},
        {"_id": "$s", "n": {"$sum": "$x"}},
        {"_id": "$s", "n": {"$max": 1}},
        {"_id": "s", "n": {"$sum": 1}},
    ):
        pipeline: list[dict[str, Any]] = [{"$match": {"c": {"$in": ["x", "y"]}}}, {"$group": group}]
        found = await (await client["db"]["docs"].aggregate(pipeline)).to_list()
        assert found == list(plain.aggregate(pipeline))
    client.close()


async def test_datetimes_come_back_as_mongomock_gives_them() -> None:
    client = StandinClient()
    standin = client["db"]["docs"]
    at = datetime(2026, 11, 27, 7, 30, 1, 123456, tzinfo=UTC)
    await standin.insert_one({"_id": "x", "at": at})
    plain: Any = mongomock.MongoClient().db.docs
    plain.insert_one({"_id": "x", "at": at})
    assert await standin.find_one({"at": {"$lte": at}}) == plain.find_one({"at": {"$lte": at}})
    client.close()


async def test_operations_run_on_the_worker_thread_not_the_event_loop() -> None:
    client = StandinClient()
    collection = client["db"]["docs"]
    assert (await collection.run(threading.current_thread)).name.startswith("mongo-standin")
    client.close()
