"""Counting documents by a value in MongoDB: one ``$group`` stage, so the server counts and only
one small document a value comes back."""

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from .handle import Document


async def count_by(
    collection: AsyncCollection[Document], match: Document, key: object
) -> list[tuple[Any, int]]:
    """How many documents of ``match`` have each value of ``key``: a field path
    (``"$status"``) or a document of them (``{"c": "$campaign_id", "a": "$action"}``)."""
    cursor = await collection.aggregate(
        [{"$match": match}, {"$group": {"_id": key, "n": {"$sum": 1}}}]
    )
    return [(d["_id"], int(d["n"])) async for d in cursor]
