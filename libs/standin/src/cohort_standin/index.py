"""One index: its ordered entries ``(key, record id)`` and, when unique, who owns each key.

A key is a tuple with one BSON-order key (``bson_order.sort_key``) per indexed field, reversed
(``Desc``) for a descending field, so the entries sort in the index's order. As on the server:
a missing field is indexed as null; an array field gives one entry per element (the index
becomes multikey; an empty array is indexed as ``undefined``); two array fields in one
document's compound key are refused; a sparse index leaves out documents missing every indexed
field, and a partial index documents its filter rejects. A unique index refuses a key another
document holds; one document may hold a key twice (``[1, 1]``)."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import ObjectId
from sortedcontainers import SortedList

from .bson_order import UNDEFINED_KEY, Desc, Key, sort_key
from .matching import Predicate
from .paths import EMPTY_ARRAY, exists, index_values, split

IndexKey = tuple[Any, ...]
Entry = tuple[IndexKey, int]


class ParallelArrays(Exception):
    def __init__(self, fields: list[str]) -> None:
        super().__init__(f"cannot index parallel arrays [{fields[1]}] [{fields[0]}]")
        self.message = str(self)


@dataclass
class IndexSpec:
    name: str
    keys: list[tuple[str, int]]
    unique: bool = False
    sparse: bool = False
    partial: dict[str, Any] | None = None
    partial_match: Predicate | None = None

    def info(self) -> dict[str, Any]:
        """What ``index_information`` reports for this index."""
        out: dict[str, Any] = {"v": 2, "key": list(self.keys)}
        if self.unique and self.name != "_id_":
            out["unique"] = True
        if self.sparse:
            out["sparse"] = True
        if self.partial is not None:
            out["partialFilterExpression"] = self.partial
        return out

    def key_document(self) -> dict[str, int]:
        return dict(self.keys)


# Equal values of these types (of one type) always have equal keys.
_SCALARS = frozenset({str, int, type(None), bool, datetime, ObjectId})


def _component(value: Any) -> Key:
    return UNDEFINED_KEY if value is EMPTY_ARRAY else sort_key(value)


@dataclass
class Index:
    spec: IndexSpec
    entries: "SortedList[Any]" = field(default_factory=SortedList)
    owners: dict[IndexKey, int] = field(default_factory=dict)
    multikey: bool = False

    def __post_init__(self) -> None:
        self.paths = [split(name) for name, _ in self.spec.keys]
        self.descending = [direction < 0 for _, direction in self.spec.keys]
        self._simple = [len(p) == 1 for p in self.paths]
        #: The top-level fields the keys depend on (None: any field may matter).
        self.fields = None if self.spec.partial else frozenset(p[0] for p in self.paths)

    @property
    def name(self) -> str:
        return self.spec.name

    def covers(self, doc: dict[str, Any]) -> bool:
        if self.spec.sparse and not any(exists(doc, p) for p in self.paths):
            return False
        match = self.spec.partial_match
        return match is None or match(doc)

    def field_values(self, doc: dict[str, Any]) -> list[list[Any]]:
        """Each field's values in ``doc`` (several for the array field, if any)."""
        values: list[list[Any]] = []
        arrays: list[str] = []
        for (name, _), parts, simple in zip(self.spec.keys, self.paths, self._simple, strict=True):
            v = doc.get(parts[0]) if simple else None
            if simple and type(v) is not list and type(v) is not dict:
                values.append([v])
                continue
            found, is_array = index_values(doc, parts)
            if is_array:
                arrays.append(name)
            values.append(found)
        if len(arrays) > 1:
            raise ParallelArrays(arrays)
        if arrays:
            # Once an array is indexed, the index is multikey for good (as on the server).
            self.multikey = True
        return values

    def keys_of(self, doc: dict[str, Any]) -> list[IndexKey]:
        """The document's keys in this index (none if it is left out)."""
        if not self.covers(doc):
            return []
        values = self.field_values(doc)
        if len(values) == 1 and len(values[0]) == 1:
            k = _component(values[0][0])
            return [(Desc(k),) if self.descending[0] else (k,)]
        keys: dict[IndexKey, None] = {}
        for combo in itertools.product(*values):
            parts = (_component(v) for v in combo)
            keys[
                tuple(Desc(k) if d else k for k, d in zip(parts, self.descending, strict=True))
            ] = None
        return list(keys)

    def values_for(self, doc: dict[str, Any], key: IndexKey) -> dict[str, Any]:
        """The field values that make ``key`` in ``doc`` (for a duplicate key's message)."""
        for combo in itertools.product(*self.field_values(doc)):
            parts = (_component(v) for v in combo)
            made = tuple(Desc(k) if d else k for k, d in zip(parts, self.descending, strict=True))
            if made == key:
                return {name: None if v is EMPTY_ARRAY else v
                        for (name, _), v in zip(self.spec.keys, combo, strict=True)}  # fmt: skip
        return {name: None for name, _ in self.spec.keys}

    def same_keys(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        """Whether an update left this index's keys alone (decided cheaply when it can be)."""
        if self.fields is None:
            return False
        for name in self.fields:
            a, b = old.get(name), new.get(name)
            if type(a) is not type(b) or type(a) not in _SCALARS or a != b:
                return False
        return True

    def conflict(self, keys: list[IndexKey], rid: int) -> IndexKey | None:
        """A key of these that another record holds (unique indexes only)."""
        if not self.spec.unique:
            return None
        for key in keys:
            owner = self.owners.get(key)
            if owner is not None and owner != rid:
                return key
        return None

    def add(self, rid: int, keys: list[IndexKey]) -> None:
        for key in keys:
            self.entries.add((key, rid))
            if self.spec.unique:
                self.owners[key] = rid

    def remove(self, rid: int, keys: list[IndexKey]) -> None:
        for key in keys:
            self.entries.discard((key, rid))
            if self.spec.unique and self.owners.get(key) == rid:
                del self.owners[key]

    def scan(self, low: IndexKey, high: IndexKey, reverse: bool = False) -> Iterator[Any]:
        """Entries with ``low <= key <= high`` (keys compared as tuples)."""
        return self.entries.irange((low,), (high, float("inf")), reverse=reverse)
