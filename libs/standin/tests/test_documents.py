"""Documents go in and come out as BSON: copies, ``_id`` first, millisecond UTC datetimes,
non-BSON values refused as the driver refuses them."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from bson import Int64, ObjectId
from bson.errors import InvalidDocument
from pymongo.errors import DocumentTooLarge, DuplicateKeyError

from cohort_standin import StandinClient, StandinCollection


async def test_insert_adds_an_object_id_to_the_callers_document(coll: StandinCollection) -> None:
    doc: dict[str, object] = {"a": 1}
    result = await coll.insert_one(doc)
    assert isinstance(doc["_id"], ObjectId)
    assert result.inserted_id == doc["_id"]
    assert result.acknowledged
    assert await coll.find_one() == {"_id": doc["_id"], "a": 1}


async def test_id_comes_first_and_field_order_is_kept(coll: StandinCollection) -> None:
    await coll.insert_one({"z": 1, "_id": "x", "a": 2, "m": {"y": 1, "b": 2}})
    found = await coll.find_one({"_id": "x"})
    assert found is not None
    assert list(found) == ["_id", "z", "a", "m"]
    assert list(found["m"]) == ["y", "b"]


async def test_datetimes_come_back_aware_utc_and_truncated_to_milliseconds(
    coll: StandinCollection,
) -> None:
    at = datetime(2026, 11, 27, 7, 30, 1, 123456, tzinfo=timezone(timedelta(hours=2)))
    await coll.insert_one({"_id": 1, "at": at, "naive": datetime(2026, 1, 1, 12, 0, 0, 999999)})
    found = await coll.find_one({"at": {"$lte": at}})
    assert found is not None
    assert found["at"] == datetime(2026, 11, 27, 5, 30, 1, 123000, tzinfo=UTC)
    assert found["at"].utcoffset() == timedelta(0)
    assert found["naive"] == datetime(2026, 1, 1, 12, 0, 0, 999000, tzinfo=UTC)


async def test_a_naive_client_returns_naive_datetimes() -> None:
    client = StandinClient(tz_aware=False)
    await client["db"]["c"].insert_one({"_id": 1, "at": datetime(2026, 1, 1, tzinfo=UTC)})
    found = await client["db"]["c"].find_one()
    assert found is not None
    assert found["at"] == datetime(2026, 1, 1)
    await client.close()


async def test_returned_documents_are_copies(coll: StandinCollection) -> None:
    inserted = {"_id": 1, "tags": ["a"], "sub": {"x": 1}}
    await coll.insert_one(inserted)
    inserted["tags"].append("changed after insert")  # type: ignore[attr-defined]
    found = await coll.find_one({"_id": 1})
    assert found is not None
    found["tags"].append("changed after find")
    found["sub"]["x"] = 2
    assert await coll.find_one({"_id": 1}) == {"_id": 1, "tags": ["a"], "sub": {"x": 1}}


@pytest.mark.parametrize("value", [{1, 2}, uuid.uuid4(), 2**64, object()])
async def test_values_bson_cannot_hold_are_refused_as_the_driver_refuses_them(
    coll: StandinCollection, value: object
) -> None:
    # (bson's own exceptions: a UUID without a representation is a ValueError.)
    with pytest.raises((InvalidDocument, OverflowError, ValueError)):
        await coll.insert_one({"_id": 1, "v": value})
    with pytest.raises((InvalidDocument, OverflowError, ValueError)):
        await coll.update_one({"_id": 1}, {"$set": {"v": value}}, upsert=True)
    assert await coll.count_documents({}) == 0


async def test_tuples_are_stored_as_arrays_and_big_ints_as_longs(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1, "t": (1, 2), "big": 2**40, "small": 5})
    found = await coll.find_one({"t": [1, 2]})
    assert found == {"_id": 1, "t": [1, 2], "big": 2**40, "small": 5}
    assert type(found["big"]) is Int64
    assert type(found["small"]) is int


async def test_a_document_over_16_mib_is_refused(coll: StandinCollection) -> None:
    with pytest.raises(DocumentTooLarge):
        await coll.insert_one({"_id": 1, "blob": "x" * (16 * 1024 * 1024)})


async def test_duplicate_id_is_refused_with_the_servers_error(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": "a"})
    with pytest.raises(DuplicateKeyError) as caught:
        await coll.insert_one({"_id": "a", "other": 1})
    assert caught.value.code == 11000
    assert caught.value.details == {
        "index": 0,
        "code": 11000,
        "errmsg": (
            'E11000 duplicate key error collection: db.things index: _id_ dup key: { _id: "a" }'
        ),
        "keyPattern": {"_id": 1},
        "keyValue": {"_id": "a"},
    }


async def test_ids_equal_in_bson_are_duplicates(coll: StandinCollection) -> None:
    await coll.insert_one({"_id": 1})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": 1.0})
    with pytest.raises(DuplicateKeyError):
        await coll.insert_one({"_id": Int64(1)})
    await coll.insert_one({"_id": "1"})
    await coll.insert_one({"_id": True})
    assert await coll.count_documents({}) == 3


async def test_an_array_id_is_refused(coll: StandinCollection) -> None:
    from pymongo.errors import WriteError

    with pytest.raises(WriteError) as caught:
        await coll.insert_one({"_id": [1, 2]})
    assert caught.value.code == 53


async def test_client_database_and_collection_names(client: StandinClient) -> None:
    db = client["shop"]
    assert db.name == "shop"
    assert db.client is client
    assert db["orders"].name == "orders"
    assert db["orders"].full_name == "shop.orders"
    assert db.orders.database is db or db.orders.database.name == "shop"
    assert await client.admin.command("ping") == {"ok": 1.0}
    await db["orders"].insert_one({"_id": 1})
    assert await client.list_database_names() == ["shop"]
    assert await db.list_collection_names() == ["orders"]
    await client.drop_database("shop")
    assert await db["orders"].count_documents({}) == 0
    assert await client.list_database_names() == []


async def test_close_is_a_coroutine_and_forgets_the_data() -> None:
    client = StandinClient()
    await client["db"]["c"].insert_one({"_id": 1})
    await client.close()
    assert await client["db"]["c"].count_documents({}) == 0
