"""Reading on from a cursor: the page after a position in a two-field ascending order (a list and
row; a time and id), in what that order's index gives, however deep the position is."""

from typing import Any

from .mongo_database import Document


async def read_after(
    collection: Any,
    query: Document,
    order: list[tuple[str, int]],
    after: tuple[object, object],
    limit: int,
) -> list[Document]:
    """Up to ``limit`` of ``query`` in ``order`` (two fields, both ascending) after the position
    ``after`` (a value of each): two index ranges rather than one $or, the rest of the position's
    first value and then what comes after it, each read in order from where it starts (no skip)."""
    (first, _), (second, _) = order
    rest = {**query, first: after[0], second: {"$gt": after[1]}}
    docs: list[Document] = await collection.find(rest).sort(order).limit(limit).to_list(None)
    if len(docs) < limit:
        later = {**query, first: {"$gt": after[0]}}
        docs += await collection.find(later).sort(order).limit(limit - len(docs)).to_list(None)
    return docs
