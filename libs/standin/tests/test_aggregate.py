"""Aggregation: $match (planned), $group with accumulators, $sort, $skip, $limit, $count."""

from typing import Any

import pytest
from pymongo.errors import OperationFailure

from cohort_standin import StandinCollection


@pytest.fixture
async def filled(coll: StandinCollection) -> StandinCollection:
    await coll.create_index([("c", 1), ("s", 1)])
    await coll.insert_many(
        [
            {"_id": i, "c": "x" if i % 3 else "y", "s": ["a", "b", None][i % 3], "n": i}
            for i in range(12)
        ]
    )
    await coll.insert_one({"_id": 99, "c": "x"})  # no s: grouped as null
    return coll


async def _run(coll: StandinCollection, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return await (await coll.aggregate(pipeline)).to_list(None)


async def test_counts_by_a_field(filled: StandinCollection) -> None:
    found = await _run(
        filled, [{"$match": {"c": "x"}}, {"$group": {"_id": "$s", "n": {"$sum": 1}}}]
    )
    # x rows have s "b" or null; the document without s groups with null.
    # (Groups come in no promised order.)
    assert sorted(found, key=repr) == [{"_id": "b", "n": 4}, {"_id": None, "n": 5}]
    total = await _run(
        filled, [{"$group": {"_id": "$s", "n": {"$count": {}}}}, {"$sort": {"_id": 1}}]
    )
    assert total == [{"_id": None, "n": 5}, {"_id": "a", "n": 4}, {"_id": "b", "n": 4}]


async def test_accumulators(filled: StandinCollection) -> None:
    found = await _run(
        filled,
        [
            {"$match": {"c": "x", "n": {"$exists": True}}},
            {"$sort": {"n": -1}},
            {"$group": {
                "_id": {"c": "$c"}, "total": {"$sum": "$n"}, "avg": {"$avg": "$n"},
                "lo": {"$min": "$n"}, "hi": {"$max": "$n"}, "first": {"$first": "$n"},
                "last": {"$last": "$n"}, "all": {"$push": "$s"}, "set": {"$addToSet": "$s"},
            }},
        ],
    )  # fmt: skip
    # n 11, 10, 8, 7, 5, 4, 2, 1, whose s are null and "b" in turn ($push keeps nulls).
    assert found == [{
        "_id": {"c": "x"}, "total": 48, "avg": 6.0, "lo": 1, "hi": 11, "first": 11, "last": 1,
        "all": [None, "b"] * 4, "set": [None, "b"],
    }]  # fmt: skip


async def test_sort_skip_limit_count(filled: StandinCollection) -> None:
    found = await _run(filled, [{"$sort": {"n": -1}}, {"$skip": 1}, {"$limit": 2}])
    assert [d["_id"] for d in found] == [10, 9]
    assert await _run(filled, [{"$match": {"c": "y"}}, {"$count": "n"}]) == [{"n": 4}]
    assert await _run(filled, [{"$match": {"c": "none"}}, {"$count": "n"}]) == []


async def test_unknown_and_unimplemented_stages(filled: StandinCollection) -> None:
    with pytest.raises(OperationFailure) as caught:
        await filled.aggregate([{"$nope": {}}])
    assert caught.value.code == 40324
    with pytest.raises(NotImplementedError, match=r"\$lookup"):
        await filled.aggregate([{"$lookup": {}}])
