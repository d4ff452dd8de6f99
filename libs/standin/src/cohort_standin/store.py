"""One collection's documents and indexes, changed one whole document at a time.

Every method here is synchronous and runs between two awaits, so each is atomic with respect
to every other coroutine, as a single-document write is on the server. Documents are kept
decoded (each the ``bson.decode`` of its own encoding, so nothing is shared with a caller or
between documents) under a record id that never changes, as WiredTiger's RecordId; a collection
scan walks record ids in insertion order, as a scan of a collection that was only appended to
does. Every index, ``_id_`` included, checks all of a write's keys before any is changed."""

import bisect
from collections.abc import Iterator
from typing import Any

from bson import Regex

from .formatting import describe_document
from .index import Index, IndexKey, IndexSpec, ParallelArrays

Document = dict[str, Any]


class WriteFailure(Exception):
    """A write the server refuses: its code, message and extra fields (``keyPattern``...)."""

    def __init__(self, code: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    def error_document(self, index: int = 0) -> dict[str, Any]:
        return {"index": index, "code": self.code, "errmsg": self.message, **self.extra}


class CollectionStore:
    def __init__(self, database: str, name: str) -> None:
        self.namespace = f"{database}.{name}"
        self.records: dict[int, Document] = {}
        self._order: list[int] = []
        self._next_rid = 1
        id_index = Index(IndexSpec("_id_", [("_id", 1)], unique=True))
        self.indexes: dict[str, Index] = {"_id_": id_index}
        self.id_index = id_index
        #: Written to (or indexed) since it was created: a collection the server would list.
        self.exists = False

    # Reading

    def rids_from(self, after: int) -> Iterator[int]:
        """Record ids after ``after``, in insertion order (a collection scan's order)."""
        start = bisect.bisect_right(self._order, after)
        records = self.records
        return (rid for rid in self._order[start:] if rid in records)

    def rid_for_id(self, id_key: IndexKey) -> int | None:
        return self.id_index.owners.get(id_key)

    # Writing

    def _keys(self, doc: Document) -> dict[str, list[IndexKey]]:
        try:
            return {name: index.keys_of(doc) for name, index in self.indexes.items()}
        except ParallelArrays as exc:
            raise WriteFailure(171, exc.message) from None

    def _check_unique(self, keys: dict[str, list[IndexKey]], doc: Document, rid: int) -> None:
        for name, index in self.indexes.items():
            taken = index.conflict(keys[name], rid)
            if taken is not None:
                raise self.duplicate(index, index.values_for(doc, taken))

    def duplicate(self, index: Index, key_value: dict[str, Any]) -> WriteFailure:
        message = (
            f"E11000 duplicate key error collection: {self.namespace} index: {index.name} "
            f"dup key: {describe_document(key_value)}"
        )
        return WriteFailure(
            11000, message, keyPattern=index.spec.key_document(), keyValue=key_value
        )

    def insert(self, doc: Document) -> int:
        """Store a new document (decoded, with its ``_id``); its record id."""
        _check_id(doc.get("_id"))
        rid = self._next_rid
        keys = self._keys(doc)
        self._check_unique(keys, doc, rid)
        self._next_rid += 1
        for name, index in self.indexes.items():
            index.add(rid, keys[name])
        self.records[rid] = doc
        self._order.append(rid)
        self.exists = True
        return rid

    def replace(self, rid: int, new: Document) -> None:
        """Swap record ``rid``'s document for ``new``, moving only the keys that changed."""
        old = self.records[rid]
        _check_id(new.get("_id"))
        changed: dict[str, tuple[list[IndexKey], list[IndexKey]]] = {}
        for name, index in self.indexes.items():
            if index.same_keys(old, new):
                continue
            try:
                before, after = index.keys_of(old), index.keys_of(new)
            except ParallelArrays as exc:
                raise WriteFailure(171, exc.message) from None
            if before != after:
                changed[name] = (before, after)
        for name, (_, after) in changed.items():
            index = self.indexes[name]
            taken = index.conflict(after, rid)
            if taken is not None:
                raise self.duplicate(index, index.values_for(new, taken))
        for name, (before, after) in changed.items():
            self.indexes[name].remove(rid, before)
            self.indexes[name].add(rid, after)
        self.records[rid] = new

    def delete(self, rid: int) -> None:
        doc = self.records.pop(rid)
        for index in self.indexes.values():
            index.remove(rid, index.keys_of(doc))
        if len(self._order) > 1024 and len(self.records) < len(self._order) // 2:
            self._order = [r for r in self._order if r in self.records]

    def clear(self) -> None:
        for rid in list(self.records):
            self.delete(rid)

    # Indexes

    def build_index(self, spec: IndexSpec) -> Index:
        """A new index over every document; refused (nothing changed) if a unique key repeats."""
        index = Index(spec)
        for rid, doc in self.records.items():
            try:
                keys = index.keys_of(doc)
            except ParallelArrays as exc:
                raise WriteFailure(171, exc.message) from None
            taken = index.conflict(keys, rid)
            if taken is not None:
                raise self.duplicate(index, index.values_for(doc, taken))
            index.add(rid, keys)
        self.indexes[spec.name] = index
        self.exists = True
        return index


def _check_id(value: Any) -> None:
    if type(value) is list:
        raise WriteFailure(53, "The '_id' value cannot be of type array")
    if isinstance(value, Regex):
        raise WriteFailure(53, "The '_id' value cannot be of type regex")
