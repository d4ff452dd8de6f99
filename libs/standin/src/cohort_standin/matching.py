"""The query language: a filter compiled once into a predicate over stored documents.

Semantics follow the server's matcher: a field condition holds when any value its path reaches
satisfies it (``paths.query_values``: an array stands for itself and each element); ``$ne``,
``$nin`` and ``$not`` are the negation of the whole positive condition, so ``{a: {$ne: 1}}``
rejects ``a: [1, 2]``; a null equality matches null and missing; ``$gt``/``$lt``... compare only
within one canonical BSON type (``{a: {$gt: 1}}`` never matches a string). Plain strings are
tested without computing BSON keys, which is most of what the services ask.

Filters arrive already through ``bson`` (so values are decoded BSON types). Operators the
server knows but this stand-in does not implement raise ``NotImplementedError``; ones the
server would reject raise ``QueryError`` with the server's code and message."""

import operator
from collections.abc import Callable, Mapping
from typing import Any

from bson import MaxKey, MinKey, Regex

from .bson_order import sort_key
from .paths import MISSING, exists, query_values, split
from .server_errors import ServerError

Predicate = Callable[[dict[str, Any]], bool]
ValueTest = Callable[[Any], bool]

_COMPARISONS = {"$gt": operator.gt, "$gte": operator.ge, "$lt": operator.lt, "$lte": operator.le}
_NOT_IMPLEMENTED = {
    "$regex", "$options", "$elemMatch", "$size", "$all", "$type", "$mod", "$bitsAllSet",
    "$bitsAnySet", "$bitsAllClear", "$bitsAnyClear", "$geoWithin", "$geoIntersects", "$near",
    "$nearSphere", "$within", "$expr", "$where", "$text", "$jsonSchema", "$sampleRate",
}  # fmt: skip


class QueryError(ServerError):
    """A filter the server would refuse."""


def _no_regex(value: Any) -> None:
    if isinstance(value, Regex):
        raise NotImplementedError("cohort_standin does not implement regular expression matching")


def eq_test(x: Any) -> ValueTest:
    """Equality of one value (an array element or the array itself) with ``x``."""
    _no_regex(x)
    if x is None:
        return lambda v: v is None or v is MISSING
    if type(x) is str:
        return lambda v: type(v) is str and v == x
    key = sort_key(x)
    if type(x) is int:
        return lambda v: v == x if type(v) is int else (
            v is not MISSING and type(v) is not str and sort_key(v) == key
        )  # fmt: skip
    return lambda v: v is not MISSING and sort_key(v) == key


def _in_test(values: Any) -> ValueTest:
    if type(values) is not list:
        raise QueryError(2, "$in needs an array")
    for v in values:
        _no_regex(v)
        if isinstance(v, dict) and next(iter(v), "").startswith("$"):
            raise QueryError(2, "cannot nest $ under $in")
    strings = frozenset(v for v in values if type(v) is str)
    keys = frozenset(sort_key(v) for v in values if type(v) is not str)
    with_null = any(v is None for v in values)

    def test(v: Any) -> bool:
        if type(v) is str:
            return v in strings
        if v is MISSING:
            return with_null
        return bool(keys) and sort_key(v) in keys

    return test


def _compare_test(op: str, x: Any) -> ValueTest:
    compare = _COMPARISONS[op]
    if x is None:
        # Only null (and missing) is in null's type bracket: $gte/$lte null mean == null.
        return eq_test(None) if op in ("$gte", "$lte") else (lambda v: False)
    _no_regex(x)
    if type(x) is str:
        return lambda v: type(v) is str and compare(v, x)
    key = sort_key(x)
    if isinstance(x, MinKey | MaxKey):
        # MinKey and MaxKey bound every type.
        return lambda v: compare(sort_key(None if v is MISSING else v), key)
    bracket = key[0]

    def test(v: Any) -> bool:
        if v is MISSING:
            return False
        k = sort_key(v)
        return bool(k[0] == bracket and compare(k, key))

    return test


def _any(parts: tuple[str, ...], test: ValueTest) -> Predicate:
    """The field predicate: ``test`` holds for some value the path reaches."""
    if len(parts) == 1:
        field = parts[0]

        def top_level(doc: dict[str, Any]) -> bool:
            v = doc.get(field, MISSING)
            if type(v) is list:
                return test(v) or any(test(e) for e in v)
            return test(v)

        return top_level
    return lambda doc: any(test(v) for v in query_values(doc, parts))


def _negate(p: Predicate) -> Predicate:
    return lambda doc: not p(doc)


def _operator(parts: tuple[str, ...], op: str, arg: Any) -> Predicate:
    if op in ("$eq", "$ne"):
        p = _any(parts, eq_test(arg))
        return p if op == "$eq" else _negate(p)
    if op in _COMPARISONS:
        return _any(parts, _compare_test(op, arg))
    if op in ("$in", "$nin"):
        p = _any(parts, _in_test(arg))
        return p if op == "$in" else _negate(p)
    if op == "$exists":
        wanted = bool(arg)
        return lambda doc: exists(doc, parts) == wanted
    if op == "$not":
        if isinstance(arg, Regex):
            _no_regex(arg)
        if not isinstance(arg, dict):
            raise QueryError(2, "$not needs a regex or a document")
        if not arg:
            raise QueryError(2, "$not cannot be empty")
        return _negate(_field(parts, arg))
    if op in _NOT_IMPLEMENTED:
        raise NotImplementedError(f"cohort_standin does not implement the {op} query operator")
    raise QueryError(2, f"unknown operator: {op}")


def _all(predicates: list[Predicate]) -> Predicate:
    if not predicates:
        return lambda doc: True
    if len(predicates) == 1:
        return predicates[0]
    if len(predicates) == 2:
        first, second = predicates
        return lambda doc: first(doc) and second(doc)
    return lambda doc: all(p(doc) for p in predicates)


def is_operator_document(condition: Any) -> bool:
    """``{a: {$gt: 1}}`` rather than an equality with a document: its first key is $-prefixed."""
    return type(condition) is dict and bool(condition) and next(iter(condition)).startswith("$")


def _field(parts: tuple[str, ...], condition: Any) -> Predicate:
    if not is_operator_document(condition):
        return _any(parts, eq_test(condition))
    return _all([_operator(parts, op, arg) for op, arg in condition.items()])


def _clauses(op: str, arg: Any) -> list[Predicate]:
    if type(arg) is not list or not arg:
        raise QueryError(2, f"{op} argument must be a non-empty array")
    if any(type(c) is not dict for c in arg):
        raise QueryError(2, f"{op} argument's entries must be objects")
    return [compile_filter(c) for c in arg]


def _any_clause(clauses: list[Predicate], negate: bool) -> Predicate:
    def test(doc: dict[str, Any]) -> bool:
        return any(c(doc) for c in clauses) != negate

    return test


def compile_filter(query: Mapping[str, Any]) -> Predicate:
    """The predicate of a (decoded) filter document."""
    predicates: list[Predicate] = []
    for key, condition in query.items():
        if key in ("$and", "$or", "$nor"):
            clauses = _clauses(key, condition)
            if key == "$and":
                predicates.append(_all(clauses))
            else:
                predicates.append(_any_clause(clauses, negate=key == "$nor"))
        elif key == "$comment":
            continue
        elif key.startswith("$"):
            if key in _NOT_IMPLEMENTED:
                raise NotImplementedError(f"cohort_standin does not implement {key}")
            raise QueryError(2, f"unknown top level operator: {key}")
        else:
            predicates.append(_field(split(key), condition))
    return _all(predicates)
