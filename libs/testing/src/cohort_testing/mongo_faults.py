"""A MongoDB replica set whose primary applies a batch of inserts but cannot have it acknowledged
by the write concern: what neither the stand-in (it has no write concern) nor a standalone test
server ever answers.

The server then replies ``ok: 1`` with ``writeConcernError`` beside any ``writeErrors``, and
PyMongo raises one ``BulkWriteError`` whose ``details`` carry both lists
(``pymongo/asynchronous/bulk.py``: it raises when ``writeErrors or writeConcernErrors``). The
writes were made on the primary, but a failover before they reach a majority rolls them back.
The error is the one a ``wtimeout`` gives (code 64, ``WriteConcernFailed``, "waiting for
replication timed out")."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from pymongo.errors import BulkWriteError

from .mongo_stores import Handle

#: The server's write concern error when the majority did not acknowledge in time.
WTIMEOUT: dict[str, Any] = {
    "code": 64,
    "codeName": "WriteConcernFailed",
    "errmsg": "waiting for replication timed out",
    "errInfo": {"wtimeout": True, "writeConcern": {"w": "majority", "wtimeout": 5000}},
}


@contextmanager
def unconfirmed_inserts(handle: Handle) -> Iterator[None]:
    """Within it, stores built on ``handle`` (built inside: they take their collections when
    made) have their batch inserts applied but not acknowledged, as described above."""
    db = handle.db
    handle.db = UnconfirmedInserts(db)
    try:
        yield
    finally:
        handle.db = db


class UnconfirmedInserts:
    """A database (a handle's ``db``) whose collections' ``insert_many`` writes the documents
    and then reports the write concern error above, with whatever write errors the insert had;
    everything else is the database's own."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def __getitem__(self, name: str) -> "_UnconfirmedCollection":
        return _UnconfirmedCollection(self._db[name])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


class _UnconfirmedCollection:
    def __init__(self, collection: Any) -> None:
        self._c = collection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._c, name)

    async def insert_many(self, documents: Sequence[Any], ordered: bool = True) -> Any:
        details: dict[str, Any] = {
            "writeErrors": [], "writeConcernErrors": [], "nInserted": len(documents),
            "nUpserted": 0, "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": [],
        }  # fmt: skip
        try:
            await self._c.insert_many(documents, ordered=ordered)
        except BulkWriteError as exc:
            details = dict(exc.details)
        details["writeConcernErrors"].append(dict(WTIMEOUT))
        raise BulkWriteError(details)
