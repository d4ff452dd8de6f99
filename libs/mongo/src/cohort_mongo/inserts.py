"""Adding a document whose identity (``_id`` or a unique index) decides whether it is new."""

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from .handle import Document


async def insert_if_new(collection: AsyncCollection[Document], doc: Document) -> bool:
    """Inserts ``doc``; False, and nothing written, when a document with its key is there
    already (a repeated message, or another instance that won the race)."""
    try:
        await collection.insert_one(doc)
    except DuplicateKeyError:
        return False
    return True
