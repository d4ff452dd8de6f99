"""Update operators, upserts, results and errors, as MongoDB 7 gives them."""

from typing import Any

import pytest
from bson import Int64, ObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError, OperationFailure, WriteError

from cohort_standin import StandinCollection


async def _one(coll: StandinCollection, **query: Any) -> dict[str, Any]:
    found = await coll.find_one(query or {})
    assert found is not None
    return found


async def test_set_unset_inc_min_max_push(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1, "n": 1, "lo": 5, "hi": 5, "gone": 1, "tags": ["a"]})
    result = await coll.update_one(
        {"_id": 1},
        {
            "$set": {"s": "x", "sub.deep": True},
            "$unset": {"gone": "", "absent": 1},
            "$inc": {"n": 2, "new": 3},
            "$min": {"lo": 2},
            "$max": {"hi": 9},
            "$push": {"tags": {"$each": ["b", "c"]}},
        },
    )
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    assert result.raw_result == {"n": 1, "nModified": 1, "ok": 1.0, "updatedExisting": True}
    assert await _one(coll) == {
        "_id": 1, "n": 3, "lo": 2, "hi": 9, "tags": ["a", "b", "c"], "new": 3, "s": "x",
        "sub": {"deep": True},
    }  # fmt: skip


async def test_new_fields_are_added_in_name_order(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1})
    await coll.update_one({"_id": 1}, {"$set": {"b": 1, "a": 1}, "$inc": {"c": 1, "B": 1}})
    assert list(await _one(coll)) == ["_id", "B", "a", "b", "c"]


async def test_inc_keeps_number_types(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1, "i": 2**31 - 1, "l": Int64(1), "d": 1.5, "small": 1})
    await coll.update_one({"_id": 1}, {"$inc": {"i": 1, "l": 1, "d": 1, "small": 1}})
    doc = await _one(coll)
    assert (doc["i"], type(doc["i"])) == (2**31, Int64)  # int32 overflow becomes a long
    assert type(doc["l"]) is Int64
    assert (doc["d"], type(doc["d"])) == (2.5, float)
    assert (doc["small"], type(doc["small"])) == (2, int)


async def test_an_update_that_changes_nothing_is_not_counted_as_modified(
    coll: StandinCollection,
) -> None:
    await coll.insert_one({"_id": 1, "a": 1})
    result = await coll.update_one({"_id": 1}, {"$set": {"a": 1}})
    assert (result.matched_count, result.modified_count) == (1, 0)
    result = await coll.update_one({"_id": 1}, {"$set": {"a": 1.0}})  # another BSON type
    assert result.modified_count == 1


async def test_dotted_paths_into_arrays_and_documents(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1, "arr": [1, 2], "doc": {"x": 1}})
    await coll.update_one({"_id": 1}, {"$set": {"arr.1": 9, "arr.3": 7, "doc.y.z": 2}})
    assert await _one(coll) == {"_id": 1, "arr": [1, 9, None, 7], "doc": {"x": 1, "y": {"z": 2}}}
    await coll.update_one({"_id": 1}, {"$unset": {"arr.0": 1, "doc.x": 1}})
    assert await _one(coll) == {"_id": 1, "arr": [None, 9, None, 7], "doc": {"y": {"z": 2}}}


@pytest.mark.parametrize(
    ("update", "code", "message"),
    [
        ({"$set": {"_id": 2}}, 66,
         "Performing an update on the path '_id' would modify the immutable field '_id'"),
        ({"$set": {"a.b": 1}}, 28, "Cannot create field 'b' in element {a: \"x\"}"),
        ({"$inc": {"a": 1}}, 14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} "
                                 "has the field 'a' of non-numeric type string"),
        ({"$inc": {"n": "1"}}, 14, 'Cannot increment with non-numeric argument: {n: "1"}'),
        ({"$set": {"a": 1}, "$inc": {"a": 1}}, 40,
         "Updating the path 'a' would create a conflict at 'a'"),
        ({"$set": {"p": 1, "p.q": 1}}, 40,
         "Updating the path 'p.q' would create a conflict at 'p'"),
        ({"$push": {"a": 1}}, 2,
         "The field 'a' must be an array but is of type string in document {_id: 1}"),
        ({"$foo": {"a": 1}}, 9, "Unknown modifier: $foo. Expected a valid update modifier or "
                                "pipeline-style update specified as an array"),
    ],
)  # fmt: skip
async def test_updates_the_server_refuses(
    coll: StandinCollection, update: dict[str, Any], code: int, message: str
) -> None:
    await coll.insert_one({"_id": 1, "a": "x"})
    with pytest.raises(WriteError) as caught:
        await coll.update_one({"_id": 1}, update)
    assert caught.value.code == code
    assert caught.value.details == {"index": 0, "code": code, "errmsg": message}
    assert await _one(coll) == {"_id": 1, "a": "x"}


async def test_setting_id_to_its_own_value_is_allowed(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1})
    result = await coll.update_one({"_id": 1}, {"$set": {"_id": 1, "a": 1}})
    assert result.modified_count == 1


async def test_the_driver_refuses_updates_without_operators(coll: StandinCollection) -> None:
    with pytest.raises(ValueError, match=r"update only works with \$ operators"):
        await coll.update_one({}, {"a": 1})
    with pytest.raises(ValueError, match="replacement can not include"):
        await coll.replace_one({}, {"$set": {"a": 1}})


async def test_upsert_seeds_from_equalities_and_makes_an_object_id(coll: StandinCollection) -> None:
    result = await coll.update_one(
        {"org": "A", "sub.kind": "x", "n": {"$gt": 1}, "$and": [{"k": {"$eq": 2}}]},
        {"$set": {"v": 1}, "$setOnInsert": {"created": True}, "$inc": {"count": 1}},
        upsert=True,
    )
    assert isinstance(result.upserted_id, ObjectId)
    assert result.raw_result == {
        "n": 1, "nModified": 0, "upserted": result.upserted_id, "ok": 1.0,
        "updatedExisting": False,
    }  # fmt: skip
    doc = await _one(coll)
    assert doc == {"_id": result.upserted_id, "org": "A", "sub": {"kind": "x"}, "k": 2,
                   "count": 1, "created": True, "v": 1}  # fmt: skip
    again = await coll.update_one({"org": "A"}, {"$setOnInsert": {"created": False}}, upsert=True)
    assert (again.matched_count, again.modified_count, again.upserted_id) == (1, 0, None)


async def test_upsert_takes_the_filters_id(coll: StandinCollection) -> None:
    result = await coll.update_one({"_id": "k"}, {"$set": {"a": 1}}, upsert=True)
    assert result.upserted_id == "k"
    assert await _one(coll) == {"_id": "k", "a": 1}


async def test_find_one_and_update_before_after_upsert_sort_projection(
    coll: StandinCollection,
) -> None:
    await coll.insert_many([{"_id": i, "q": "ready", "n": i} for i in range(3)])
    before = await coll.find_one_and_update(
        {"q": "ready"}, {"$set": {"q": "taken"}}, sort=[("n", -1)], projection={"n": 1}
    )
    assert before == {"_id": 2, "n": 2}
    after = await coll.find_one_and_update(
        {"q": "ready"}, {"$inc": {"n": 10}}, return_document=ReturnDocument.AFTER
    )
    assert after == {"_id": 0, "q": "ready", "n": 10}
    assert await coll.find_one_and_update({"q": "none"}, {"$set": {"x": 1}}) is None
    assert await coll.find_one_and_update({"_id": 9}, {"$inc": {"n": 1}}, upsert=True) is None
    made = await coll.find_one_and_update(
        {"_id": 10}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert made == {"_id": 10, "n": 1}
    deleted = await coll.find_one_and_delete({"q": "taken"})
    assert deleted == {"_id": 2, "q": "taken", "n": 2}
    replaced = await coll.find_one_and_replace(
        {"_id": 1}, {"r": 1}, return_document=ReturnDocument.AFTER
    )
    assert replaced == {"_id": 1, "r": 1}


async def test_find_one_and_update_errors_are_command_errors(coll: StandinCollection) -> None:
    await coll.create_index("u", unique=True)
    await coll.insert_many([{"_id": 1, "u": 1}, {"_id": 2, "u": 2}])
    with pytest.raises(DuplicateKeyError) as caught:
        await coll.find_one_and_update({"_id": 2}, {"$set": {"u": 1}})
    assert caught.value.details == {
        "ok": 0.0, "code": 11000, "codeName": "DuplicateKey",
        "errmsg": "E11000 duplicate key error collection: db.things index: u_1 dup key: { u: 1 }",
        "keyPattern": {"u": 1}, "keyValue": {"u": 1},
    }  # fmt: skip
    with pytest.raises(OperationFailure) as immutable:
        await coll.find_one_and_update({"_id": 2}, {"$set": {"_id": 3}})
    assert immutable.value.code == 66


async def test_update_many_delete_many_replace_one(coll: StandinCollection) -> None:
    await coll.insert_many([{"_id": i, "even": i % 2 == 0} for i in range(6)])
    result = await coll.update_many({"even": True}, {"$set": {"seen": 1}})
    assert (result.matched_count, result.modified_count) == (3, 3)
    assert (await coll.update_many({"even": True}, {"$set": {"seen": 1}})).modified_count == 0
    replaced = await coll.replace_one({"_id": 1}, {"only": True})
    assert replaced.modified_count == 1
    assert await _one(coll, _id=1) == {"_id": 1, "only": True}
    with pytest.raises(WriteError) as caught:
        await coll.replace_one({"_id": 1}, {"_id": 2})
    assert caught.value.code == 66
    assert (await coll.delete_many({"even": True})).deleted_count == 3
    assert (await coll.delete_one({})).raw_result == {"n": 1, "ok": 1.0}
    assert await coll.count_documents({}) == 2
