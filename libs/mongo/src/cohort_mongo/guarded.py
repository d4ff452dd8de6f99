"""One document changed only while it is in the state the change is from.

MongoDB applies a single-document update atomically, so with the state it changes from in its
filter, of writers racing for the same change (instances, a redelivered message) exactly one
makes it and the others learn they did not."""

from pymongo.asynchronous.collection import AsyncCollection

from .handle import Document


async def update_if(
    collection: AsyncCollection[Document], guard: Document, update: Document
) -> bool:
    """Applies ``update`` to the document ``guard`` matches; whether this call changed it (False
    when none matches any more, or the update left it as it was)."""
    result = await collection.update_one(guard, update)
    return result.modified_count == 1
