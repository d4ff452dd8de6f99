"""MongoDB as every stateful service opens it (a real server at ``MONGODB_URL``, else the
in-process stand-in), leases shared by a service's instances, and the writes and counts every
store makes the same way: an insert only if new (one document, or the new ones of a batch), an
update only from the state it changes from, a count by value."""

from .counting import count_by
from .guarded import update_if
from .handle import DUPLICATE_KEY, Document, IndexSpec, MongoHandle
from .inserts import insert_if_new, insert_new
from .leases import MongoLeases

__all__ = [
    "DUPLICATE_KEY",
    "Document",
    "IndexSpec",
    "MongoHandle",
    "MongoLeases",
    "count_by",
    "insert_if_new",
    "insert_new",
    "update_if",
]
