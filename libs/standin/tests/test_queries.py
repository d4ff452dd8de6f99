"""The query language, as MongoDB 7 answers it (each case from the server's documented rules)."""

from datetime import UTC, datetime
from typing import Any

import pytest
from bson import Decimal128, Int64, MaxKey, MinKey, ObjectId
from pymongo.errors import OperationFailure

from cohort_standin import StandinCollection

DOCS: list[dict[str, Any]] = [
    {"_id": 1, "a": 1},
    {"_id": 2, "a": 2.5},
    {"_id": 3, "a": "x"},
    {"_id": 4, "a": None},
    {"_id": 5},
    {"_id": 6, "a": [1, 5]},
    {"_id": 7, "a": [[1, 5]]},
    {"_id": 8, "a": {"b": 1, "c": 2}},
    {"_id": 9, "a": [{"b": 1}, {"b": 3}]},
    {"_id": 10, "a": True},
    {"_id": 11, "a": datetime(2026, 1, 1, tzinfo=UTC)},
    {"_id": 12, "a": Int64(1)},
    {"_id": 13, "a": []},
    {"_id": 14, "a": [None, 7]},
    {"_id": 15, "a": Decimal128("2.5")},
    {"_id": 16, "a": ObjectId("65a000000000000000000000")},
]

CASES: list[tuple[dict[str, Any], list[int]]] = [
    ({"a": 1}, [1, 6, 12]),  # numbers equal across types; an array equals its elements
    ({"a": 2.5}, [2, 15]),
    ({"a": "x"}, [3]),
    ({"a": None}, [4, 5, 14]),  # null matches missing and null elements, not []
    ({"a": [1, 5]}, [6, 7]),  # the whole array, or an element that is that array
    ({"a": []}, [13]),
    ({"a": {"b": 1, "c": 2}}, [8]),
    ({"a": {"c": 2, "b": 1}}, []),  # documents compare in order
    ({"a.b": 1}, [8, 9]),
    ({"a.b": 3}, [9]),
    ({"a.0": 1}, [6, 7]),  # a.0 of [[1, 5]] is [1, 5], an array at the end of the path
    ({"a.b": None}, [1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16]),
    ({"a": {"$gt": 1}}, [2, 6, 14, 15]),  # numbers only: type bracketing
    ({"a": {"$gte": 1, "$lt": 2}}, [1, 6, 12]),
    ({"a": {"$gt": "a"}}, [3]),
    ({"a": {"$lt": datetime(2027, 1, 1, tzinfo=UTC)}}, [11]),
    ({"a": {"$gte": None}}, [4, 5, 14]),
    ({"a": {"$gt": None}}, []),
    ({"a": {"$gt": MinKey()}}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
    ({"a": {"$lt": MaxKey()}}, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
    ({"a": {"$ne": 1}}, [2, 3, 4, 5, 7, 8, 9, 10, 11, 13, 14, 15, 16]),
    ({"a": {"$ne": None}}, [1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16]),
    ({"a": {"$in": [1, "x"]}}, [1, 3, 6, 12]),
    ({"a": {"$in": [None]}}, [4, 5, 14]),
    ({"a": {"$in": []}}, []),
    ({"a": {"$nin": [1, None]}}, [2, 3, 7, 8, 9, 10, 11, 13, 15, 16]),
    ({"a": {"$exists": False}}, [5]),
    ({"a": {"$exists": True}, "_id": {"$lte": 5}}, [1, 2, 3, 4]),
    ({"a": {"$not": {"$gt": 1}}}, [1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 16]),
    ({"$or": [{"a": "x"}, {"_id": 1}]}, [1, 3]),
    ({"$and": [{"a": {"$gte": 1}}, {"a": {"$lte": 1}}]}, [1, 6, 12]),
    ({"$nor": [{"a": {"$exists": True}}]}, [5]),
    ({"a": {"$eq": True}}, [10]),
    ({"a": 1.0, "_id": {"$in": [1, 12]}}, [1, 12]),
    ({"a": ObjectId("65a000000000000000000000")}, [16]),
]


@pytest.fixture
async def filled(coll: StandinCollection) -> StandinCollection:
    await coll.insert_many([dict(d) for d in DOCS])
    return coll


@pytest.mark.parametrize(("query", "expected"), CASES)
async def test_matching(
    filled: StandinCollection, query: dict[str, Any], expected: list[int]
) -> None:
    found = await filled.find(query, {"_id": 1}).to_list(None)
    assert sorted(d["_id"] for d in found) == expected
    assert await filled.count_documents(query) == len(expected)


@pytest.mark.parametrize(
    ("query", "code", "message"),
    [
        ({"a": {"$foo": 1}}, 2, "unknown operator: $foo"),
        ({"$foo": 1}, 2, "unknown top level operator: $foo"),
        ({"a": {"$in": 1}}, 2, "$in needs an array"),
        ({"$or": []}, 2, "$or argument must be a non-empty array"),
        ({"a": {"$not": 1}}, 2, "$not needs a regex or a document"),
    ],
)
async def test_filters_the_server_refuses(
    filled: StandinCollection, query: dict[str, Any], code: int, message: str
) -> None:
    with pytest.raises(OperationFailure) as caught:
        await filled.find(query).to_list(None)
    assert caught.value.code == code
    assert caught.value.details is not None
    assert caught.value.details["errmsg"] == message


async def test_unimplemented_operators_say_so(filled: StandinCollection) -> None:
    with pytest.raises(NotImplementedError, match=r"\$elemMatch"):
        await filled.find({"a": {"$elemMatch": {"b": 1}}}).to_list(None)


async def test_sort_orders_across_types_as_bson_does(filled: StandinCollection) -> None:
    ascending = [d["_id"] for d in await filled.find().sort([("a", 1), ("_id", 1)]).to_list()]
    # [] below null and missing; an array by its least element ([None, 7] with null, an array
    # of documents with documents, [[1, 5]] with arrays); then numbers, string, object...
    assert ascending == [13, 4, 5, 14, 1, 6, 12, 2, 15, 3, 9, 8, 7, 16, 10, 11]
    descending = [d["_id"] for d in await filled.find().sort([("a", -1), ("_id", 1)]).to_list()]
    assert descending[:4] == [11, 10, 16, 7]


async def test_projection_inclusion_exclusion_and_dotted(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "e": [{"c": 1, "x": 2}, 5]})
    assert await coll.find_one({}, {"a": 1}) == {"_id": 1, "a": 1}
    assert await coll.find_one({}, {"a": 1, "_id": 0}) == {"a": 1}
    assert await coll.find_one({}, ["b.c"]) == {"_id": 1, "b": {"c": 2}}
    assert await coll.find_one({}, {"e.c": 1, "_id": False}) == {"e": [{"c": 1}]}
    assert await coll.find_one({}, {"b": 0, "e": 0}) == {"_id": 1, "a": 1}
    assert await coll.find_one({}, {"b.d": 0, "e": 0, "a": 0}) == {"_id": 1, "b": {"c": 2}}
    with pytest.raises(OperationFailure) as caught:
        await coll.find_one({}, {"a": 1, "b": 0})
    assert caught.value.code == 31254


async def test_find_one_takes_an_id_instead_of_a_filter(filled: StandinCollection) -> None:
    assert await filled.find_one(3) == {"_id": 3, "a": "x"}
    assert await filled.find_one({"a": "nothing"}) is None


async def test_cursor_skip_limit_batches_and_chaining(filled: StandinCollection) -> None:
    cursor = filled.find({}, {"_id": 1}).sort("_id", -1).skip(2).limit(5).batch_size(2)
    assert [d["_id"] async for d in cursor] == [14, 13, 12, 11, 10]
    assert await filled.find().sort("_id").limit(-3).to_list(None) == [dict(d) for d in DOCS[:3]]
    assert len(await filled.find().to_list(4)) == 4
    cursor = filled.find()
    await cursor.to_list(1)
    from pymongo.errors import InvalidOperation

    with pytest.raises(InvalidOperation):
        cursor.limit(1)
    with pytest.raises(ValueError, match="greater than 0"):
        await filled.find().to_list(0)


async def test_count_documents_with_skip_and_limit(filled: StandinCollection) -> None:
    assert await filled.count_documents({"_id": {"$gt": 4}}, limit=5) == 5
    assert await filled.count_documents({"_id": {"$gt": 4}}, skip=10) == 2
    assert await filled.count_documents({"_id": {"$gt": 4}}, skip=10, limit=1) == 1
    assert await filled.estimated_document_count() == len(DOCS)


async def test_a_skip_or_limit_beyond_a_bson_long_is_refused_as_the_driver_refuses_it(
    filled: StandinCollection,
) -> None:
    """PyMongo sends skip and limit in the find command (``$skip``/``$limit`` stages for a
    count), and BSON holds at most a 64-bit integer: encoding a larger one raises
    ``OverflowError`` before anything reaches the server. The largest long still goes."""
    too_big = 2**63
    with pytest.raises(OverflowError, match="8-byte ints"):
        await filled.find().sort("_id").skip(too_big).limit(5).to_list(None)
    with pytest.raises(OverflowError, match="8-byte ints"):
        await filled.find().limit(too_big).to_list(None)
    with pytest.raises(OverflowError, match="8-byte ints"):
        await filled.count_documents({}, skip=too_big)
    assert await filled.find().sort("_id").skip(too_big - 1).to_list(None) == []
    assert await filled.count_documents({}, skip=too_big - 1) == 0


async def test_distinct_unwinds_arrays_and_orders_as_bson(filled: StandinCollection) -> None:
    assert await filled.distinct("a.b") == [1, 3]
    values = await filled.distinct("a", {"_id": {"$in": [1, 3, 4, 6, 12, 14]}})
    assert values == [None, 1, 5, 7, "x"]
