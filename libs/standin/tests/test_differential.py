"""The stand-in against references, on generated documents, filters and updates.

- **A real MongoDB** when ``MONGODB_URL`` is set: matches, sort orders, updates (documents or
  error codes) and counts must be the server's. Skipped, with the reason, where there is none
  (as on this project's machines).
- **mongomock**, for query matching only, where it is known to agree with the server. It does
  not keep booleans apart from numbers (``{b: False}`` matches ``b: 0`` there), it does not
  match ``{"c.x": null}`` when ``c`` is a scalar (the path is missing, which null matches on
  the server), and ``$gte``/``$lte`` null matches nothing there (null and missing on the
  server): such documents and filters are left out here, and covered by the behaviour tests
  (``test_queries.py``, each case written from the server's documented rules) and by the
  real-server comparison."""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohort_standin import StandinClient

from .strategies import documents, filters, updates

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _mongomock_agrees(query: dict[str, Any]) -> bool:
    # {a: {$gte: null}} matches null and missing on the server, nothing in mongomock.
    text = repr(query)
    return not any(f"'{op}': None" in text for op in ("$gt", "$gte", "$lt", "$lte"))


async def _matched(docs: list[dict[str, Any]], query: dict[str, Any]) -> list[int]:
    client = StandinClient()
    coll = client["db"]["c"]
    if docs:
        await coll.insert_many([dict(d) for d in docs])
    found = sorted(d["_id"] for d in await coll.find(query, {"_id": 1}).to_list(None))
    await client.close()
    return found


@SETTINGS
@given(documents(booleans=False), filters(booleans=False, nested=False))
async def test_matching_agrees_with_mongomock(
    docs: list[dict[str, Any]], query: dict[str, Any]
) -> None:
    if not _mongomock_agrees(query):
        return
    reference: Any = mongomock.MongoClient().db.c
    if docs:
        reference.insert_many([dict(d) for d in docs])
    expected = sorted(d["_id"] for d in reference.find(query, {"_id": 1}))
    assert await _matched(docs, query) == expected


MONGODB_URL = os.environ.get("MONGODB_URL")
needs_mongodb = pytest.mark.skipif(
    not MONGODB_URL, reason="MONGODB_URL is not set: no real MongoDB to compare with"
)


@asynccontextmanager
async def _both(docs: list[dict[str, Any]]) -> AsyncIterator[tuple[Any, Any]]:
    """The same collection of ``docs``, indexed alike, on the real server (``theirs``) and on
    the stand-in (``ours``); afterwards the server's database is dropped and both closed."""
    from pymongo import AsyncMongoClient

    real: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        MONGODB_URL, serverSelectionTimeoutMS=5000, tz_aware=True
    )
    standin = StandinClient()
    name = f"standin_diff_{uuid.uuid4().hex[:8]}"
    theirs, ours = real[name]["c"], standin[name]["c"]
    try:
        for coll in (theirs, ours):
            await coll.create_index([("a", 1), ("b", 1)])
            if docs:
                await coll.insert_many([dict(d) for d in docs])
        yield theirs, ours
    finally:
        await real.drop_database(name)
        await real.close()
        await standin.close()


async def _outcome(coll: Any, operation: Any) -> Any:
    try:
        return ("ok", await operation(coll))
    except Exception as exc:  # the server's error code is what must agree
        return ("error", type(exc).__name__, getattr(exc, "code", None))


@needs_mongodb
@SETTINGS
@given(documents(), filters(), st.sampled_from([[("a", 1)], [("b", -1), ("a", 1)], [("c.x", 1)]]))
async def test_queries_and_sorts_agree_with_mongodb(
    docs: list[dict[str, Any]], query: dict[str, Any], sort: list[tuple[str, int]]
) -> None:
    async with _both(docs) as (theirs, ours):
        for op in (
            lambda c: c.find(query).sort([*sort, ("_id", 1)]).to_list(None),
            lambda c: c.count_documents(query),
            lambda c: c.distinct("a", query),
        ):
            assert await _outcome(ours, op) == await _outcome(theirs, op)


@needs_mongodb
@SETTINGS
@given(documents(), filters(), updates, st.booleans())
async def test_updates_agree_with_mongodb(
    docs: list[dict[str, Any]], query: dict[str, Any], update: dict[str, Any], many: bool
) -> None:
    async with _both(docs) as (theirs, ours):

        async def apply(c: Any) -> Any:
            method = c.update_many if many else c.update_one
            result = await method(query, update, upsert=not many)
            upserted = result.upserted_id is not None
            return result.matched_count, result.modified_count, upserted

        assert await _outcome(ours, apply) == await _outcome(theirs, apply)
        # An upserted document's ObjectId differs between the two: compare the rest.
        mine = [_without_object_id(d) async for d in ours.find({}).sort("_id")]
        server = [_without_object_id(d) async for d in theirs.find({}).sort("_id")]
        assert mine == server


def _without_object_id(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "_id" or isinstance(v, int)}
