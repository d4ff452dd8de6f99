"""Indexes: built over existing documents, kept on every write, enforced when unique."""

from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

from cohort_standin import StandinCollection


async def test_compound_unique_index_refuses_a_repeated_key(coll: StandinCollection) -> None:
    name = await coll.create_index([("campaign_id", 1), ("nhs_number", 1)], unique=True)
    assert name == "campaign_id_1_nhs_number_1"
    await coll.insert_one({"_id": 1, "campaign_id": "c", "nhs_number": "1"})
    await coll.insert_one({"_id": 2, "campaign_id": "d", "nhs_number": "1"})
    with pytest.raises(DuplicateKeyError) as caught:
        await coll.insert_one({"_id": 3, "campaign_id": "c", "nhs_number": "1"})
    assert caught.value.details is not None
    assert caught.value.details["keyValue"] == {"campaign_id": "c", "nhs_number": "1"}
    assert caught.value.details["keyPattern"] == {"campaign_id": 1, "nhs_number": 1}
    assert caught.value.details["errmsg"] == (
        "E11000 duplicate key error collection: db.things index: campaign_id_1_nhs_number_1 "
        'dup key: { campaign_id: "c", nhs_number: "1" }'
    )


async def test_missing_fields_are_null_in_a_unique_index(coll: StandinCollection) -> None:
    await coll.create_index("email", unique=True)
    await coll.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError) as caught:
        await coll.insert_one({"_id": 2, "email": None})
    assert caught.value.details is not None
    assert caught.value.details["keyValue"] == {"email": None}


async def test_sparse_and_partial_unique_indexes_leave_documents_out(
    coll: StandinCollection,
) -> None:
    await coll.create_index("email", unique=True, sparse=True)
    await coll.create_index(
        [("org", 1), ("name", 1)],
        unique=True,
        partialFilterExpression={"archived": False},
        name="live_names",
    )
    await coll.insert_many([{"_id": 1}, {"_id": 2}])  # no email: not in the sparse index
    await coll.insert_one({"_id": 3, "org": "A", "name": "n", "archived": False})
    await coll.insert_one({"_id": 4, "org": "A", "name": "n", "archived": True})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 5, "org": "A", "name": "n", "archived": False})
    await coll.update_one({"_id": 3}, {"$set": {"archived": True}})
    await coll.insert_one({"_id": 5, "org": "A", "name": "n", "archived": False})
    with pytest.raises(WriteError) as caught:  # back into the index: refused
        await coll.update_one({"_id": 4}, {"$set": {"archived": False}})
    assert caught.value.code == 11000


async def test_unique_applies_to_updates_and_upserts(coll: StandinCollection) -> None:
    await coll.create_index("k", unique=True)
    await coll.insert_many([{"_id": 1, "k": 1}, {"_id": 2, "k": 2}])
    with pytest.raises(DuplicateKeyError):
        await coll.update_one({"_id": 2}, {"$set": {"k": 1}})
    with pytest.raises(DuplicateKeyError):
        await coll.update_one({"_id": 3}, {"$set": {"k": 2}}, upsert=True)
    with pytest.raises(DuplicateKeyError):
        await coll.replace_one({"_id": 2}, {"k": 1})
    assert await coll.find({}, {"_id": 0}).sort("k").to_list() == [{"k": 1}, {"k": 2}]


async def test_a_unique_index_over_duplicates_is_not_built(coll: StandinCollection) -> None:
    await coll.insert_many([{"_id": 1, "a": 1}, {"_id": 2, "a": 1}])
    with pytest.raises(DuplicateKeyError) as caught:
        await coll.create_index("a", unique=True)
    assert "Index build failed" in str(caught.value)
    assert caught.value.details is not None
    assert caught.value.details["keyValue"] == {"a": 1}
    assert list(await coll.index_information()) == ["_id_"]


async def test_multikey_unique_index(coll: StandinCollection) -> None:
    await coll.create_index("tags", unique=True)
    await coll.insert_one({"_id": 1, "tags": ["a", "b", "a"]})  # its own repeats are fine
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 2, "tags": ["c", "b"]})
    await coll.insert_one({"_id": 3, "tags": []})
    with pytest.raises(DuplicateKeyError):  # [] is indexed as undefined
        await coll.insert_one({"_id": 4, "tags": []})


async def test_parallel_arrays_cannot_be_indexed(coll: StandinCollection) -> None:
    await coll.create_index([("a", 1), ("b", 1)])
    with pytest.raises(WriteError) as caught:
        await coll.insert_one({"_id": 1, "a": [1], "b": [2]})
    assert caught.value.code == 171


async def test_index_management(coll: StandinCollection) -> None:
    assert await coll.create_index([("a", 1), ("b", -1)]) == "a_1_b_-1"
    assert await coll.create_index([("a", 1), ("b", -1)]) == "a_1_b_-1"  # the same again
    with pytest.raises(OperationFailure) as caught:
        await coll.create_index([("a", 1), ("b", -1)], name="other")
    assert caught.value.code == 85
    with pytest.raises(OperationFailure) as conflict:
        await coll.create_index([("a", 1), ("b", -1)], unique=True)
    assert conflict.value.code == 86
    with pytest.raises(OperationFailure) as bad_partial:
        await coll.create_index("x", partialFilterExpression={"x": {"$ne": 1}})
    assert bad_partial.value.code == 67
    info = await coll.index_information()
    assert info["a_1_b_-1"] == {"v": 2, "key": [("a", 1), ("b", -1)]}
    await coll.drop_index("a_1_b_-1")
    assert list(await coll.index_information()) == ["_id_"]
    with pytest.raises(OperationFailure):
        await coll.drop_index("_id_")


def _plan(coll: StandinCollection, query: dict[str, Any], sort: Any = None) -> Any:
    plan, _ = coll.engine.plan(coll.codec.normalized(query), sort)
    return plan


@pytest.fixture
async def recipients(coll: StandinCollection) -> StandinCollection:
    await coll.create_index([("campaign_id", 1), ("status", 1), ("list_id", 1), ("row", 1)])
    await coll.create_index([("campaign_id", 1), ("nhs", 1)], unique=True)
    await coll.create_index("record_entry", sparse=True)
    docs = [
        {"_id": f"r{i:05d}", "campaign_id": f"c{i % 3}", "status": ["READY", "SENT"][i % 2],
         "list_id": "L", "row": 10_000 - i, "nhs": str(i)}
        for i in range(3000)
    ]  # fmt: skip
    await coll.insert_many(docs)
    return coll


async def test_the_planner_walks_an_index_in_sort_order_and_stops_early(
    recipients: StandinCollection,
) -> None:
    query = {"campaign_id": "c1", "status": "READY"}
    order = [("list_id", 1), ("row", 1)]
    plan = _plan(recipients, query, order)
    assert plan.index.name == "campaign_id_1_status_1_list_id_1_row_1"
    assert plan.provides_sort
    walk, _ = recipients.engine.walk(recipients.codec.normalized(query), order)
    assert len(walk.take(5)) == 5
    assert walk.examined == 5
    found = await recipients.find(query).sort(order).limit(5).to_list(None)
    expected = sorted(
        [d async for d in recipients.find({})
         if d["campaign_id"] == "c1" and d["status"] == "READY"],
        key=lambda d: d["row"],
    )[:5]  # fmt: skip
    assert found == expected
    descending = await recipients.find(query).sort([("list_id", -1), ("row", -1)]).to_list(3)
    rows = sorted([d["row"] async for d in recipients.find(query)], reverse=True)
    assert [d["row"] for d in descending] == rows[:3]


async def test_a_long_in_list_narrows_by_the_fields_before_it(coll: StandinCollection) -> None:
    """A lookup such as the repeat guard's, NHS numbers under an organisation and a message's
    keys, with more numbers than the planner walks intervals for: the index is walked on the
    leading fields and the filter does the rest. Before, the index was given up for one on the
    organisation alone, a scan of its every recipient."""
    await coll.create_index(
        [("org", 1), ("keys", 1), ("nhs", 1), ("at", 1)],
        partialFilterExpression={"keys": {"$exists": True}},
        name="repeats",
    )
    await coll.create_index([("org", 1), ("contact", 1)])
    others = [{"_id": f"o{i}", "org": "A", "contact": str(i), "nhs": str(i)} for i in range(3000)]
    released = [
        {"_id": f"r{i}", "org": "A", "keys": ["k1", "x"], "nhs": str(i), "at": i} for i in range(20)
    ]
    await coll.insert_many([*others, *released])
    query = {
        "org": "A",
        "keys": {"$exists": True, "$in": ["k1", "k2"]},
        "nhs": {"$in": [str(i) for i in range(5000)]},
        "at": {"$gte": 5},
    }

    plan = _plan(coll, query)
    walk, _ = coll.engine.walk(coll.codec.normalized(query))
    found = walk.take(None)

    assert plan.index.name == "repeats"
    assert not plan.exact
    ids = [coll.engine.store.records[rid]["_id"] for rid in found]
    assert sorted(ids) == sorted(f"r{i}" for i in range(5, 20))
    assert walk.examined == 20  # the released recipients under those keys, not all 3,020
    assert await coll.count_documents(query) == 15


async def test_the_repeat_guards_lookup_seeks_each_number(coll: StandinCollection) -> None:
    """A thousand numbers under two keys are 2,000 intervals: within what the planner walks,
    so only the entries of those numbers are read, whatever else the index holds."""
    await coll.create_index(
        [("org", 1), ("keys", 1), ("nhs", 1), ("at", 1)],
        partialFilterExpression={"keys": {"$exists": True}},
    )
    history = [{"_id": i, "org": "A", "keys": ["k1"], "nhs": str(i), "at": 1} for i in range(9000)]
    await coll.insert_many(history)
    query = {
        "org": "A",
        "keys": {"$exists": True, "$in": ["k1", "k2"]},
        "nhs": {"$in": [str(i) for i in range(0, 9000, 9)]},
        "at": {"$gte": 0},
    }
    walk, plan = coll.engine.walk(coll.codec.normalized(query))
    assert len(walk.take(None)) == 1000
    assert len(plan.intervals) == 2000
    assert walk.examined == 1000


async def test_the_planner_prefers_equality_then_range(recipients: StandinCollection) -> None:
    assert _plan(recipients, {"_id": "r00001", "campaign_id": "c1"}).index.name == "_id_"
    plan = _plan(recipients, {"campaign_id": "c2", "nhs": "5"})
    assert plan.index.name == "campaign_id_1_nhs_1"
    assert plan.points is not None  # one key of a unique index: looked up, not scanned
    plan = _plan(recipients, {"campaign_id": "c2", "status": {"$in": ["READY", "X"]},
                              "list_id": "L", "row": {"$gte": 9000}})  # fmt: skip
    assert plan.index.name == "campaign_id_1_status_1_list_id_1_row_1"
    assert len(plan.intervals) == 2


async def test_sparse_indexes_serve_only_queries_that_exclude_null(
    recipients: StandinCollection,
) -> None:
    assert _plan(recipients, {"record_entry": "pending"}).index.name == "record_entry_1"
    assert _plan(recipients, {"record_entry": None}).index is None
    assert _plan(recipients, {"status": "READY"}).index is None  # no index leads with status


async def test_index_and_scan_answers_agree(recipients: StandinCollection) -> None:
    queries: list[dict[str, Any]] = [
        {"campaign_id": "c1", "status": "READY", "row": {"$gt": 9990}},
        {"campaign_id": {"$in": ["c0", "c2"]}, "status": "SENT", "list_id": "L",
         "row": {"$gte": 9000, "$lt": 9050}},
        {"campaign_id": "c0", "nhs": {"$in": ["0", "3", "4", "nope"]}},
        {"campaign_id": "c0", "status": {"$gt": "READY"}},
    ]  # fmt: skip
    everything = await recipients.find({}).to_list(None)
    for query in queries:
        found = {d["_id"] for d in await recipients.find(query).to_list(None)}
        scanned = {d["_id"] for d in everything if _slow_match(d, query)}
        assert found == scanned, query
        assert await recipients.count_documents(query) == len(scanned)


def _slow_match(doc: dict[str, Any], query: dict[str, Any]) -> bool:
    import operator

    ops = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}
    for field, cond in query.items():
        value = doc.get(field)
        if isinstance(cond, dict):
            for op, arg in cond.items():
                if op == "$in" and value not in arg:
                    return False
                # A missing field is never in a range, as in MongoDB.
                if op in ops and (value is None or not ops[op](value, arg)):
                    return False
        elif value != cond:
            return False
    return True
