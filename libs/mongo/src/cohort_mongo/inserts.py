"""Adding documents whose identity (``_id`` or a unique index) decides whether each is new."""

from collections.abc import Sequence

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .handle import DUPLICATE_KEY, Document


async def insert_if_new(collection: AsyncCollection[Document], doc: Document) -> bool:
    """Inserts ``doc``; False, and nothing written, when a document with its key is there
    already (a repeated message, or another instance that won the race)."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True


async def insert_new(collection: AsyncCollection[Document], docs: Sequence[Document]) -> list[int]:
    """Inserts ``docs`` in one unordered round trip; the positions of those refused because a
    document with their key is there already (an earlier delivery of the same batch, or
    another instance's). Any other write error is raised, and so is a write concern error even
    beside duplicates: a replica set's primary then applied the writes but could not have them
    acknowledged (a ``wtimeout``, a stepdown), so they may yet be rolled back, and the caller
    must not take them as stored (its message redelivered, the batch is written again)."""
    try:
        await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        errors = exc.details["writeErrors"]
        if exc.details.get("writeConcernErrors") or any(e["code"] != DUPLICATE_KEY for e in errors):
            raise
        return [e["index"] for e in errors]
    return []
