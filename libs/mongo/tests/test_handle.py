"""A service's database as the shared plumbing opens it, on the in-process stand-in."""

import uuid

import pytest
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from cohort_mongo import MongoHandle, MongoLeases

INDEXES = [("things", [("key", ASCENDING)], {"unique": True})]


async def test_the_services_indexes_are_created_and_hold() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}", indexes=INDEXES)
    await mongo.ensure_indexes()
    await mongo.ensure_indexes()  # again: a no-op
    await mongo.db["things"].insert_one({"key": 1})
    with pytest.raises(DuplicateKeyError):
        await mongo.db["things"].insert_one({"key": 1})
    assert await mongo.ping()
    await mongo.close()


async def test_leases_live_in_the_services_database() -> None:
    mongo = MongoHandle(None, f"t{uuid.uuid4().hex[:8]}")
    leases = MongoLeases(mongo)
    assert await leases.acquire("sweep", "a", ttl_s=60)
    assert not await leases.acquire("sweep", "b", ttl_s=60)
    await mongo.close()
