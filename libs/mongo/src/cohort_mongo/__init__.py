"""MongoDB as every stateful service opens it (a real server at ``MONGODB_URL``, else the
in-process stand-in), and leases shared by a service's instances."""

from .handle import DUPLICATE_KEY, Document, IndexSpec, MongoHandle
from .inserts import insert_if_new
from .leases import MongoLeases

__all__ = ["DUPLICATE_KEY", "Document", "IndexSpec", "MongoHandle", "MongoLeases", "insert_if_new"]
