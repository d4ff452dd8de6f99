"""How the stand-in finds documents: what mongomock's own code finds, found faster.

- **Lookups by ``_id``.** mongomock tests every document against every query (and every
  update, delete and unique-index check). A query naming its documents by ``_id`` (a string, or
  ``$in`` strings) looks them up instead, as MongoDB's ``_id`` index does; the whole query is
  still applied to what is found.
- **Plain conditions decided directly.** A top-level condition on a string (equality, ``$in``,
  ``$gt``...) or ``$ne: None`` is decided without mongomock's general matcher for a document
  whose value is a string; a failing one rejects the document, all passing accept it, and
  anything else (arrays, other types, other operators) is left to mongomock.
- **Copy what is returned.** mongomock copies every match before applying a limit, and every
  document before an aggregation's ``$match``; here only the documents returned (or matched)
  are copied. Fields holding only strings (or only integers) sort by plain comparison, which
  orders them as BSON does."""

import copy
import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from mongomock import aggregate, filtering, helpers

Document = dict[str, Any]
Test = Callable[[Any], bool | None]

_MISSING = object()
_COMPARE = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}


def _plain(value: Any) -> Any:
    """Containers rebuilt as plain ones, as pymongo-async-mock hands queries to mongomock."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    return value


def _ids(query: Mapping[str, Any]) -> list[str] | None:
    """The ``_id``s a query is confined to, if it names them as strings."""
    wanted = query.get("_id", _MISSING)
    if type(wanted) is str:
        return [wanted]
    if isinstance(wanted, dict) and list(wanted) == ["$in"]:
        values = wanted["$in"]
        if type(values) in (list, tuple) and all(type(v) is str for v in values):
            return sorted(set(values))  # the order of an _id index scan
    return None


def _operator_test(op: str, arg: Any) -> Test | None:
    if op == "$ne" and arg is None:
        # A missing field equals null, so neither matches; strings do; the rest is left.
        return lambda v: v is not None and v is not _MISSING and (type(v) is str or None)
    if op == "$in" and type(arg) in (list, tuple) and all(type(a) is str for a in arg):
        values = frozenset(arg)
        return lambda v: v in values if type(v) is str else None
    if op in _COMPARE and type(arg) in (str, int):
        compare, kind = _COMPARE[op], type(arg)
        return lambda v: compare(v, arg) if type(v) is kind else None
    return None


def _test(condition: Any) -> Test | None:
    """Decides a top-level field's condition for plain strings (and integers compared with
    integers) as BSON does; None when it would decide nothing, or answers None for a value
    it leaves to mongomock (arrays, other types)."""
    if type(condition) is str:
        return lambda v: v == condition if type(v) is str else None
    if not isinstance(condition, dict) or not condition:
        return None
    tests = [_operator_test(op, arg) for op, arg in condition.items()]
    if any(t is None for t in tests):
        return None
    checks = [t for t in tests if t is not None]

    def test(value: Any) -> bool | None:
        results = [check(value) for check in checks]
        return False if False in results else (None if None in results else True)

    return checks[0] if len(checks) == 1 else test


def _matcher(query: Mapping[str, Any]) -> Callable[[Document], bool]:
    """``filter_applies(query, doc)``, without it for documents the top-level conditions
    decide (a conjunct that fails rejects; all passing accepts)."""
    applies = functools.partial(filtering.filter_applies, query)
    simple = []
    for key, condition in query.items():
        test = None if key.startswith("$") or "." in key else _test(condition)
        if test is not None:
            simple.append((key, test))
    if not simple:
        return applies
    rest = len(simple) < len(query)

    def matches(doc: Document) -> bool:
        unknown = rest
        for key, test in simple:
            result = test(doc.get(key, _MISSING))
            if result is False:
                return False
            unknown = unknown or result is None
        return not unknown or bool(applies(doc))

    return matches


def speed_up(collection: Any) -> None:
    """Replace this mongomock collection's document scan (used by every query, update, delete
    and unique-index check) with one that uses ``_id`` lookups and the string fast path."""
    if getattr(collection, "_cohort_fast_scan", False):
        return

    def iter_documents(query: Mapping[str, Any]) -> Iterator[Document]:
        query = _plain(query)
        store = collection._store
        ids = _ids(query)
        docs = [store[i] for i in ids if i in store] if ids is not None else list(store.documents)
        if not docs:
            # mongomock validates a query even then
            filtering.filter_applies(query, {})  # type: ignore[no-untyped-call]
        return filter(_matcher(query), docs)

    collection._iter_documents = iter_documents
    collection._cohort_fast_scan = True


def _sort_key(field: str, docs: Sequence[Document]) -> Callable[[Document], Any]:
    if "." not in field:
        values = [d.get(field, _MISSING) for d in docs]
        for kind in (str, int):
            if all(type(v) is kind for v in values):
                return lambda d: d[field]
    return lambda d: filtering.resolve_sort_key(field, d)  # type: ignore[no-untyped-call]


def _sorted(docs: Iterable[Document], sort: Any) -> list[Document]:
    """mongomock's sort: one stable pass per key, last key first."""
    ordered = list(docs)
    for field, direction in reversed(list(sort.items() if isinstance(sort, dict) else sort)):
        if field == "$natural":
            if direction < 0:
                ordered.reverse()
            continue
        if field.startswith("$"):
            raise NotImplementedError(f"Sorting by {field} is not implemented in mongomock yet")
        ordered.sort(key=_sort_key(field, ordered), reverse=direction < 0)
    return ordered


def find_documents(
    collection: Any,
    query: Mapping[str, Any] | None,
    projection: Any = None,
    sort: Sequence[tuple[str, int]] | None = None,
    skip: int = 0,
    limit: int = 0,
) -> Iterator[Document]:
    """What mongomock's ``find`` yields, copying only the documents yielded."""
    query = helpers.patch_datetime_awareness_in_document(query or {})  # type: ignore[no-untyped-call]
    if not isinstance(query, Mapping):
        raise TypeError("filter must be an instance of dict")
    docs: Iterable[Document] = collection._iter_documents(query)
    if sort:
        docs = _sorted(docs, _plain(sort))
    found: Iterator[Document] = (collection._copy_only_fields(d, projection, dict) for d in docs)
    if collection.codec_options.tz_aware:
        found = map(helpers.make_datetime_timezone_aware_in_document, found)
    return itertools.islice(found, skip, None if not limit else skip + abs(limit))


def _counted(docs: Iterable[Document], group: Any) -> list[Document] | None:
    """mongomock's ``$group`` for the shape counts take (``_id`` a top-level field, every
    other field a ``$sum`` of an integer) over values that are strings or null (missing counts
    as null), grouped without sorting every document; None for anything else."""
    key_field = group.get("_id") if isinstance(group, dict) else None
    if not isinstance(key_field, str) or not key_field.startswith("$"):
        return None
    field = key_field[1:]
    if not field or "." in field or field.startswith("$"):
        return None
    sums: dict[str, int] = {}
    for name, accumulator in group.items():
        if name == "_id":
            continue
        if not isinstance(accumulator, dict) or list(accumulator) != ["$sum"]:
            return None
        if type(accumulator["$sum"]) is not int:
            return None
        sums[name] = accumulator["$sum"]
    counts: dict[str | None, int] = {}
    for doc in docs:
        key = doc.get(field)
        if key is not None and type(key) is not str:
            return None
        counts[key] = counts.get(key, 0) + 1
    # In BSON order (null before strings), as mongomock's sort before grouping leaves them.
    ordered = sorted(counts, key=lambda k: (k is not None, k or ""))
    return [{**{k: n * counts[key] for k, n in sums.items()}, "_id": key} for key in ordered]


def aggregate_documents(collection: Any, pipeline: Sequence[Mapping[str, Any]]) -> list[Document]:
    """What mongomock's ``aggregate`` returns, without copying every document first."""
    first, stages = (pipeline[0], list(pipeline[1:])) if pipeline else ({}, [])
    if list(first) != ["$match"]:
        return list(collection.aggregate(list(pipeline)))
    if not stages or any(list(stage) != ["$group"] for stage in stages):
        matched = list(find_documents(collection, first["$match"]))
        return list(aggregate.process_pipeline(matched, collection.database, stages, None))  # type: ignore[no-untyped-call]
    # $group only reads the documents, so they are grouped uncopied and the groups are copied.
    query = helpers.patch_datetime_awareness_in_document(first["$match"])  # type: ignore[no-untyped-call]
    originals = list(collection._iter_documents(query))
    counted = _counted(originals, stages[0]["$group"]) if len(stages) == 1 else None
    if counted is not None:
        return counted
    grouped = aggregate.process_pipeline(originals, collection.database, stages, None)  # type: ignore[no-untyped-call]
    groups = [copy.deepcopy(d) for d in grouped]
    if collection.codec_options.tz_aware:
        groups = [helpers.make_datetime_timezone_aware_in_document(d) for d in groups]  # type: ignore[no-untyped-call]
    return groups
