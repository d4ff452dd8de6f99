"""Staff's names in MongoDB, one document per person per organisation (``_id``
``<ODS code>:<user id>``: an ODS code holds no colon, so the pair is unambiguous)."""

from collections.abc import Iterable

from .mongo_database import MongoHandle

# Names this process has written, so that a person's every request does not write again; a
# deployment's staff are thousands at most, and the bound keeps a long-lived process small.
_REMEMBERED = 10_000


class MongoPeople:
    def __init__(self, mongo: MongoHandle) -> None:
        self._c = mongo.db["people"]
        self._written: dict[str, str] = {}

    async def note(self, org_id: str, user_id: str, name: str) -> None:
        key = _key(org_id, user_id)
        if self._written.get(key) == name:
            return
        update = {"$set": {"org_id": org_id, "user_id": user_id, "name": name}}
        # An upsert on _id alone: MongoDB retries one that races another on the same key.
        await self._c.update_one({"_id": key}, update, upsert=True)
        if len(self._written) >= _REMEMBERED:
            self._written.clear()
        self._written[key] = name

    async def names(self, org_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        keys = sorted({_key(org_id, user_id) for user_id in user_ids if user_id})
        if not keys:
            return {}
        return {d["user_id"]: d["name"] async for d in self._c.find({"_id": {"$in": keys}})}


def _key(org_id: str, user_id: str) -> str:
    return f"{org_id}:{user_id}"
