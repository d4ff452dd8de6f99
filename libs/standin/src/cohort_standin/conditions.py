"""What a filter says about each field, in the terms an index scan can use.

Only the filter's top-level conjunction (and ``$and`` clauses) is read: equality and ``$in``
give points, ``$gt``/``$gte``/``$lt``/``$lte`` a range within the operand's BSON type bracket
(as the server's bounds builder does). Anything else on a field (``$ne``, ``$exists``, an array
or regex operand...) leaves the field *inexact*: an index may still narrow the scan by its
other conditions, and the full filter is always applied to what is fetched."""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from bson import MaxKey, MinKey, Regex

from .bson_order import NULL_KEY, Key, sort_key
from .matching import is_operator_document

RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")


@dataclass
class Condition:
    """The index-usable conditions on one path."""

    #: Equality values (decoded), each with its key; None when there is no equality.
    points: list[tuple[Key, Any]] | None = None
    #: ("$gt", key)... in the order given.
    ranges: list[tuple[str, Key]] = field(default_factory=list)
    #: Every condition on the path is one of the above.
    exact: bool = True

    def add_points(self, values: list[Any]) -> None:
        keyed = {sort_key(v): v for v in values}
        if self.points is None:
            self.points = sorted(keyed.items(), key=lambda kv: kv[0])
        else:  # both must hold: only common values remain (for a non-multikey field)
            self.points = [(k, v) for k, v in self.points if k in keyed]
            self.exact = False


@dataclass
class FilterConditions:
    fields: dict[str, Condition] = field(default_factory=dict)
    #: The filter is nothing but these conditions (no $or, $nor, $not...).
    conjunctive: bool = True

    def on(self, path: str) -> Condition:
        return self.fields.setdefault(path, Condition())


def _indexable_value(value: Any) -> bool:
    return type(value) is not list and not isinstance(value, Regex | MinKey | MaxKey)


def _operator(cond: Condition, op: str, arg: Any) -> None:
    if op == "$eq" and _indexable_value(arg):
        cond.add_points([arg])
    elif op == "$in" and type(arg) is list and all(_indexable_value(v) for v in arg):
        cond.add_points(arg)
    elif op in RANGE_OPS and _indexable_value(arg):
        if arg is None:
            if op in ("$gte", "$lte"):
                cond.add_points([None])
            else:
                cond.add_points([])  # nothing is greater or less than null
        else:
            cond.ranges.append((op, sort_key(arg)))
    else:
        cond.exact = False


def _conjuncts(query: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The filter's top-level ``(key, condition)`` pairs, with those of each ``$and`` clause
    read as the filter's own (all must hold either way), in the order written. A malformed
    ``$and`` (not a list) is passed on as it is; its non-document clauses are skipped."""
    for key, condition in query.items():
        if key == "$and" and type(condition) is list:
            for clause in condition:
                if type(clause) is dict:
                    yield from _conjuncts(clause)
        else:
            yield key, condition


def _read(query: Mapping[str, Any], out: FilterConditions) -> None:
    for key, condition in _conjuncts(query):
        if key == "$comment":
            continue
        if key.startswith("$"):
            out.conjunctive = False
            continue
        cond = out.on(key)
        if is_operator_document(condition):
            for op, arg in condition.items():
                _operator(cond, op, arg)
        elif _indexable_value(condition):
            cond.add_points([condition])
        else:
            cond.exact = False


def read_conditions(query: Mapping[str, Any]) -> FilterConditions:
    out = FilterConditions()
    _read(query, out)
    return out


def excludes_null(cond: Condition) -> bool:
    """No document missing the field (or null there) can satisfy the condition."""
    if cond.points is not None:
        return all(k != NULL_KEY for k, _ in cond.points)
    return bool(cond.ranges)


def equality_seed(query: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The fields an upsert's new document starts with: the filter's equalities."""
    seeds: list[tuple[str, Any]] = []
    for key, condition in _conjuncts(query):
        if key.startswith("$"):
            continue
        if is_operator_document(condition):
            if "$eq" in condition:
                seeds.append((key, condition["$eq"]))
        else:
            seeds.append((key, condition))
    return seeds
