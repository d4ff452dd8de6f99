"""Opens the record service's MongoDB database: a real server at ``MONGODB_URL``, or the
in-process stand-in when it is unset (development and tests only; its data is lost when the
process stops, and the service says so loudly).

The same conventions as campaign's store: single-document atomic updates conditional on the
state they change (no transactions: a standalone server or a replica set both work), identity
by ``_id``, aware UTC datetimes, and every query served by an index listed here."""

from pymongo import ASCENDING

from cohort_mongo import Document, IndexSpec
from cohort_mongo import MongoHandle as SharedHandle

__all__ = ["INDEXES", "Document", "MongoHandle"]

ASC = ASCENDING

INDEXES: list[IndexSpec] = [
    # One entry per delivered message is ``_id`` (derived from campaign and recipient).
    # The sender's claim: pending entries by due time, and claims by expiry (a dead sender's).
    ("record_entries", [("state", ASC), ("next_attempt_at", ASC)], {}),
    ("record_entries", [("state", ASC), ("claim_expires_at", ASC)], {}),
    # MESH reports name our MESH message id (``Mex-LinkedMsgID``).
    (
        "record_entries",
        [("mesh_message_id", ASC)],
        {"partialFilterExpression": {"mesh_message_id": {"$exists": True}}},
    ),
    # Acknowledgement timeouts: sent / acknowledged since before a cut-off.
    ("record_entries", [("state", ASC), ("sent_at", ASC)], {}),
    ("record_entries", [("state", ASC), ("acknowledged_at", ASC)], {}),
    # The status outbox: only unreported entries are in this index, so it stays small.
    (
        "record_entries",
        [("status_pending", ASC)],
        {"partialFilterExpression": {"status_pending": True}},
    ),
]


class MongoHandle(SharedHandle):
    """Record's database, with its indexes."""

    INDEXES = INDEXES
    LOST_ON_EXIT = "Every record entry is lost when this process stops."
