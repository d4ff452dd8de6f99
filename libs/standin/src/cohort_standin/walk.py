"""Finding a plan's matching documents a batch at a time, resuming where the last batch ended.

Between batches other coroutines write, as other clients do between a cursor's getMores, so a
walk keeps no iterator across awaits: it remembers the last index entry (or record id) it
passed and seeks past it next time, as the server's plan stages save and restore their
position. A document that moves ahead of the position may then be seen again, as on the
server; a multikey index's repeats of one document within a walk are dropped."""

import functools
from collections.abc import Iterator
from typing import Any

from .bson_order import UNDEFINED_KEY, sort_key
from .index import Entry, IndexKey
from .matching import Predicate
from .paths import EMPTY_ARRAY, MISSING, query_values, split
from .planner import Plan
from .store import CollectionStore, Document

_INF = float("inf")


class Walk:
    def __init__(self, store: CollectionStore, plan: Plan, matches: Predicate) -> None:
        self._store = store
        self._plan = plan
        self._matches = matches
        self._interval = 0
        self._last_entry: Entry | None = None
        self._last_rid = 0
        self._seen: set[int] | None = set() if plan.index and plan.index.multikey else None
        self.done = False
        #: Documents read so far (what explain's docsExamined counts).
        self.examined = 0

    def take(self, n: int | None) -> list[int]:
        """Up to ``n`` (None: all) further record ids of matching documents, in plan order."""
        out: list[int] = []
        records, matches = self._store.records, self._matches
        for rid in self._candidates():
            self.examined += 1
            doc = records.get(rid)
            if doc is None or not matches(doc):
                continue
            if self._seen is not None:
                if rid in self._seen:
                    continue
                self._seen.add(rid)
            out.append(rid)
            if n is not None and len(out) >= n:
                return out
        self.done = True
        return out

    def _candidates(self) -> Iterator[int]:
        plan = self._plan
        if plan.index is None:
            for rid in self._store.rids_from(self._last_rid):
                self._last_rid = rid
                yield rid
            return
        if plan.points is not None:
            owners = plan.index.owners
            while self._interval < len(plan.points):
                owner = owners.get(plan.points[self._interval])
                self._interval += 1
                if owner is not None:
                    yield owner
            return
        yield from self._index_candidates()

    def _index_candidates(self) -> Iterator[int]:
        plan = self._plan
        assert plan.index is not None
        intervals = plan.intervals[::-1] if plan.reverse else plan.intervals
        entries = plan.index.entries
        while self._interval < len(intervals):
            iv = intervals[self._interval]
            low = (iv.low,) if iv.low_inclusive else (iv.low, _INF)
            high = (iv.high, _INF) if iv.high_inclusive else (iv.high,)
            last = self._last_entry
            if last is not None:
                if plan.reverse:
                    scan = entries.irange(low, last, inclusive=(True, False), reverse=True)
                else:
                    scan = entries.irange(last, high, inclusive=(False, True))
            else:
                scan = entries.irange(low, high, reverse=plan.reverse)
            for entry in scan:
                self._last_entry = entry
                yield entry[1]
            self._interval += 1
            self._last_entry = None

    def exact_keys(self) -> Iterator[IndexKey]:
        """The keys of the entries the (exact) bounds hold, without reading a document."""
        plan = self._plan
        assert plan.index is not None
        for iv in plan.intervals:
            low = (iv.low,) if iv.low_inclusive else (iv.low, _INF)
            high = (iv.high, _INF) if iv.high_inclusive else (iv.high,)
            for key, _ in plan.index.entries.irange(low, high):
                yield key

    def count_exact(self) -> int:
        """How many entries the (exact) bounds hold, without reading a document."""
        plan = self._plan
        assert plan.index is not None
        if plan.points is not None:
            return sum(1 for key in plan.points if key in plan.index.owners)
        entries = plan.index.entries
        total = 0
        for iv in plan.intervals:
            low = (iv.low,) if iv.low_inclusive else (iv.low, _INF)
            high = (iv.high, _INF) if iv.high_inclusive else (iv.high,)
            start = entries.bisect_left(low)
            end = entries.bisect_right(high)
            total += max(0, end - start)
        return total


def sort_documents(docs: list[Document], sort: list[tuple[str, int]]) -> list[Document]:
    """A blocking sort, stable, ordered as the server's SORT stage orders: missing as null, an
    array by its least element ascending and its greatest descending."""
    ordered = list(docs)
    for path, direction in reversed(sort):
        parts = split(path)
        desc = direction < 0
        ordered.sort(key=functools.partial(_sort_key_of, parts=parts, desc=desc), reverse=desc)
    return ordered


def _sort_key_of(doc: Document, parts: tuple[str, ...], desc: bool) -> Any:
    if len(parts) == 1:
        v = doc.get(parts[0])
        if type(v) is not list:
            return sort_key(v)
    keys = [UNDEFINED_KEY if v is EMPTY_ARRAY else sort_key(v) for v in _sort_values(doc, parts)]
    return max(keys) if desc else min(keys)


def _sort_values(doc: Document, parts: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for v in query_values(doc, parts, expand=False):
        if type(v) is list:
            # An array sorts by its elements; an empty one below null and missing.
            out.extend(v if v else [EMPTY_ARRAY])
        else:
            out.append(None if v is MISSING else v)
    return out or [None]
