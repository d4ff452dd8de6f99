"""Inserting a document whose ``_id`` (or a unique key) names what it records, so that a
repeated or redelivered request finds it already stored and writes nothing."""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from .mongo_database import Document


async def insert_new(collection: AsyncCollection[Document], doc: Document) -> bool:
    """Insert ``doc``; False, with nothing written, if its ``_id`` or a unique key is taken."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
