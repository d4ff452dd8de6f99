"""Which row messages each patient of a campaign: ``campaign_patients``, one entry per patient.

The entry's ``_id`` is the campaign and the NHS number, so ``_id`` uniqueness keeps one holder
per patient. (A unique index on recipients did this before; the stand-in checks a unique
secondary index by testing every document on every insert, but finds an ``_id`` directly.)
Entries are never deleted; one moves to an earlier row only while its recipient is unsent."""

from collections.abc import Sequence

from pymongo.errors import BulkWriteError

from ..domain.model import Recipient
from .mongo_campaigns import DUPLICATE_KEY
from .mongo_database import Document, MongoHandle


def patient_key(r: Recipient) -> str:
    return f"{r.campaign_id}:{r.nhs_number}"


def _entry(r: Recipient) -> Document:
    return {
        "_id": patient_key(r),
        "recipient_id": r.id,
        "list_id": str(r.list_id),
        "row_number": r.row_number,
        "source_rank": r.source_rank,
    }


def same_row(entry: Document, r: Recipient) -> bool:
    return bool(entry["list_id"] == str(r.list_id) and entry["row_number"] == r.row_number)


class PatientHolders:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["campaign_patients"]

    async def hold(self, recipients: Sequence[Recipient]) -> dict[str, Document]:
        """Each recipient's patient's entry, by key: its own row's if no row held it yet."""
        entries = [_entry(r) for r in recipients]
        try:
            await self._c.insert_many(entries, ordered=False)
            return {e["_id"]: e for e in entries}
        except BulkWriteError as exc:
            errors = exc.details["writeErrors"]
            if any(e["code"] != DUPLICATE_KEY for e in errors):
                raise
            taken = {e["index"] for e in errors}
        holders = {e["_id"]: e for i, e in enumerate(entries) if i not in taken}
        keys = list({entries[i]["_id"] for i in taken})
        holders.update({d["_id"]: d async for d in self._c.find({"_id": {"$in": keys}})})
        return holders

    async def holding(self, recipients: Sequence[Recipient]) -> dict[str, str]:
        """The recipient id each of these recipients' patients is held by now, by key."""
        query = {"_id": {"$in": [patient_key(r) for r in recipients]}}
        return {d["_id"]: d["recipient_id"] async for d in self._c.find(query, {"recipient_id": 1})}

    async def take_over(self, holder_id: str, newcomer: Recipient) -> bool:
        """Move the patient from ``holder_id`` to ``newcomer`` if it still holds it and comes
        from a later row."""
        entry = _entry(newcomer)
        taken = await self._c.update_one(
            {
                "_id": entry.pop("_id"),
                "recipient_id": holder_id,
                "source_rank": {"$gt": newcomer.source_rank},
            },
            {"$set": entry},
        )
        return bool(taken.modified_count)
