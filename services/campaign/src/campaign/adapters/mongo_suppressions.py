"""The organisations' opt-out lists in MongoDB (``suppressions``).

One document per organisation and contact key (a unique index): a second STOP, a redelivered
reply or staff adding the same number again all land on it. Removing sets it inactive and keeps
the document, so its history (who added and removed it, when, how) stays for audit."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from cohort_mongo import update_if

from ..domain.opt_out import Suppression, contact_key
from .mongo_database import MongoHandle

#: Suppression ids are derived from the organisation and key, so the same number always has
#: the same id (a redelivered STOP) and the id says nothing about the number.
_IDS = uuid.UUID("0b4b0d8e-58a4-4c57-9a4a-3c1f2a6f5e11")


def suppression_id(org_id: str, contact: str) -> str:
    return uuid.uuid5(_IDS, f"{org_id}:{contact_key(contact)}").hex


def _from(doc: dict[str, Any]) -> Suppression:
    return Suppression(
        id=doc["_id"],
        org_id=doc["org_id"],
        contact=doc["contact"],
        source=doc["source"],
        active=doc["active"],
        created_at=doc["created_at"],
        updated_at=doc["updated_at"],
        changed_by=doc["changed_by"],
        confirmed=doc.get("confirmed", False),
    )


class MongoSuppressions:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["suppressions"]

    async def add(
        self, org_id: str, contact: str, source: str, actor: str, at: datetime
    ) -> tuple[Suppression, bool]:
        sid = suppression_id(org_id, contact)
        event = {"action": "added", "source": source, "by": actor, "at": at.isoformat()}
        # Only an absent or removed entry changes: adding again what is active is a no-op, so a
        # redelivered reply writes nothing and confirms nothing twice.
        try:
            result = await self._c.update_one(
                {"_id": sid, "active": {"$ne": True}},
                {
                    "$set": {
                        "org_id": org_id,
                        "key": contact_key(contact),
                        "contact": contact.strip(),
                        "source": source,
                        "active": True,
                        "updated_at": at,
                        "changed_by": actor,
                        "confirmed": False,
                    },
                    "$setOnInsert": {"created_at": at},
                    "$push": {"history": event},
                },
                upsert=True,
            )
            changed = bool(result.modified_count or result.upserted_id is not None)
        except DuplicateKeyError:
            changed = False  # already active: the upsert's insert met the existing document
        doc = await self._c.find_one({"_id": sid})
        assert doc is not None  # just written, or already there
        return _from(doc), changed

    async def remove(self, org_id: str, suppression_id: str, actor: str, at: datetime) -> bool:
        event = {"action": "removed", "source": "staff", "by": actor, "at": at.isoformat()}
        return await update_if(
            self._c,
            {"_id": suppression_id, "org_id": org_id, "active": True},
            {
                "$set": {"active": False, "updated_at": at, "changed_by": actor},
                "$push": {"history": event},
            },
        )

    async def get(self, org_id: str, suppression_id: str) -> Suppression | None:
        doc = await self._c.find_one({"_id": suppression_id, "org_id": org_id})
        return None if doc is None else _from(doc)

    async def active(self, org_id: str, limit: int) -> list[Suppression]:
        cursor = self._c.find({"org_id": org_id, "active": True}).sort("updated_at", DESCENDING)
        return [_from(d) async for d in cursor.limit(limit)]

    async def suppressed(self, org_id: str, contacts: Sequence[str]) -> set[str]:
        if not contacts:
            return set()
        keys = {contact_key(c) for c in contacts}
        query = {"org_id": org_id, "key": {"$in": sorted(keys)}, "active": True}
        found = {d["key"] async for d in self._c.find(query, {"key": 1})}
        return {c for c in contacts if contact_key(c) in found}

    async def mark_confirmed(self, org_id: str, suppression_id: str) -> bool:
        doc = await self._c.find_one_and_update(
            {"_id": suppression_id, "org_id": org_id, "confirmed": False},
            {"$set": {"confirmed": True}},
            return_document=ReturnDocument.AFTER,
        )
        return doc is not None

    async def history(self, org_id: str, suppression_id: str) -> list[dict[str, str]]:
        doc = await self._c.find_one({"_id": suppression_id, "org_id": org_id}, {"history": 1})
        return [] if doc is None else list(doc.get("history", []))
