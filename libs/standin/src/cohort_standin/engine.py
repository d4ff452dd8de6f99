"""The server side of one collection: planning a filter, and changing one document.

``Engine`` turns a decoded filter into a plan and predicate, and applies an update, replacement
or upsert to one document atomically: the new document is built on a private copy, must keep
its ``_id`` (code 66), and is stored only if every index accepts it."""

from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from .bson_order import sort_key
from .codec import Codec
from .conditions import equality_seed, read_conditions
from .index import Index
from .matching import Predicate, compile_filter
from .planner import Plan, choose
from .store import CollectionStore, Document, WriteFailure
from .update_ops import UpdateError, apply_update
from .walk import Walk, sort_documents

IMMUTABLE_ID = "Performing an update on the path '_id' would modify the immutable field '_id'"


class Engine:
    def __init__(self, store: CollectionStore, codec: Codec) -> None:
        self.store = store
        self.codec = codec

    def plan(
        self, query: Mapping[str, Any], sort: list[tuple[str, int]] | None = None,
        hint: str | None = None, covering: frozenset[str] = frozenset(),
    ) -> tuple[Plan, Predicate]:  # fmt: skip
        predicate = compile_filter(query)
        conds = read_conditions(query)
        id_cond = conds.fields.get("_id")
        indexes: list[Index] = list(self.store.indexes.values())
        if hint is None and id_cond is not None and id_cond.points is not None:
            # The server's IDHACK: a filter naming its _ids is answered from the _id index.
            if not sort:
                exact = conds.conjunctive and id_cond.exact and len(conds.fields) == 1
                points = [(k,) for k, _ in id_cond.points]
                return Plan(self.store.id_index, exact=exact, points=points), predicate
            indexes = [self.store.id_index]
        return choose(indexes, conds, sort or [], hint, covering), predicate

    def walk(self, query: Mapping[str, Any], sort: list[tuple[str, int]] | None = None,
             hint: str | None = None, covering: frozenset[str] = frozenset(),
    ) -> tuple[Walk, Plan]:  # fmt: skip
        plan, predicate = self.plan(query, sort, hint, covering)
        return Walk(self.store, plan, predicate), plan

    def first_match(
        self, query: Mapping[str, Any], sort: list[tuple[str, int]] | None
    ) -> int | None:
        """The record id of the first document matching, in ``sort`` order."""
        walk, plan = self.walk(query, sort)
        if plan.provides_sort or not sort:
            found = walk.take(1)
            return found[0] if found else None
        rids = walk.take(None)
        if not rids:
            return None
        records = self.store.records
        by_rid = {id(records[r]): r for r in rids}
        first = sort_documents([records[r] for r in rids], sort)[0]
        return by_rid[id(first)]

    def update_record(self, rid: int, update: Mapping[str, Any], replace: bool) -> bool:
        """Apply ``update`` to record ``rid``; whether the document changed."""
        old = self.store.records[rid]
        old_raw = self.codec.encoded(old)
        new = self.codec.decoded(old_raw)
        if replace:
            if "_id" in update and sort_key(update["_id"]) != sort_key(old["_id"]):
                raise WriteFailure(
                    66,
                    "After applying the update, the (immutable) field '_id' was found to have "
                    "been altered to _id: " + repr(update["_id"]),
                )
            new = {"_id": old["_id"], **{k: v for k, v in update.items() if k != "_id"}}
        else:
            self._apply(new, update, inserting=False)
            if "_id" not in new or sort_key(new["_id"]) != sort_key(old["_id"]):
                raise WriteFailure(66, IMMUTABLE_ID)
        new_raw = self.codec.encoded(new)
        if new_raw == old_raw:
            return False
        self.store.replace(rid, self.codec.decoded(new_raw))
        return True

    def upsert(self, query: Mapping[str, Any], update: Mapping[str, Any], replace: bool) -> Any:
        """Insert the document an upsert that matched nothing makes; its ``_id``."""
        seed: Document = {}
        self._apply(seed, {"$set": dict(equality_seed(query))}, inserting=True)
        if replace:
            new = dict(update)
            if "_id" not in new and "_id" in seed:
                new = {"_id": seed["_id"], **new}
        else:
            new = seed
            self._apply(new, update, inserting=True)
        if "_id" not in new:
            new = {"_id": ObjectId(), **new}
        doc = self.codec.decoded(self.codec.encoded(new))
        self.store.insert(doc)
        return doc["_id"]

    def insert(self, doc: Document) -> None:
        self.store.insert(doc)

    @staticmethod
    def _apply(doc: Document, update: Mapping[str, Any], inserting: bool) -> None:
        try:
            apply_update(doc, update, inserting)
        except UpdateError as exc:
            raise WriteFailure(exc.code, exc.message) from None


def sorted_matches(
    engine: Engine, query: Mapping[str, Any], sort: list[tuple[str, int]]
) -> list[Document]:
    walk, _ = engine.walk(query, sort)
    records = engine.store.records
    return sort_documents([records[r] for r in walk.take(None)], sort)
