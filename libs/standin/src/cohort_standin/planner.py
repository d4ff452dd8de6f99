"""Choosing how to find a query's documents: an index scan over bounds, or a collection scan.

An index is a candidate when the filter constrains its leading fields: points (equality or
``$in``) on a prefix, then at most one range, as the server's bounds builder makes them. A
sparse index is a candidate only when its first field's condition excludes null, a partial one
only when the filter implies its expression (checked conservatively). The plan with the most
leading points wins, then one with a range, then one whose order is the requested sort (so the
scan can stop after skip + limit), then a unique one. With no candidate, an index that gives the
requested order may be walked whole; otherwise it is a collection scan. Bounds are a superset of
the matches when an index is multikey (the filter then decides), and exact otherwise, so a
count over exact bounds needs no document."""

import itertools
from dataclasses import dataclass, field
from typing import Any

from .bson_order import HIGHEST, LOWEST, Desc, Key
from .conditions import Condition, FilterConditions, excludes_null
from .index import Index, IndexKey
from .matching import compile_filter
from .paths import split

#: The most intervals one plan walks. Each is a seek in a sorted list, so thousands cost little;
#: the repeat guard asks for a thousand NHS numbers under a message's few keys at a time.
MAX_INTERVALS = 4096


@dataclass
class Interval:
    low: IndexKey
    low_inclusive: bool
    high: IndexKey
    high_inclusive: bool


@dataclass
class Plan:
    index: Index | None
    intervals: list[Interval] = field(default_factory=list)
    reverse: bool = False
    provides_sort: bool = False
    #: The intervals hold exactly the filter's matches.
    exact: bool = False
    #: Every interval is one full key of a unique, non-multikey index.
    points: list[IndexKey] | None = None


@dataclass
class _Component:
    points: list[Key] | None = None
    low: Key = LOWEST
    low_inclusive: bool = True
    high: Key = HIGHEST
    high_inclusive: bool = True


def _range(ranges: list[tuple[str, Key]], multikey: bool) -> _Component:
    c = _Component()
    # A multikey field's conditions may hold for different elements: only one can bound it.
    for op, key in ranges[:1] if multikey else ranges:
        bracket = key[0]
        if op in ("$gt", "$gte"):
            if (key, op == "$gte") > (c.low, c.low_inclusive) or c.low == LOWEST:
                c.low, c.low_inclusive = key, op == "$gte"
            if c.high == HIGHEST:
                c.high = (bracket + 0.5,)
        else:
            if c.high == HIGHEST or key < c.high or (key == c.high and op == "$lt"):
                c.high, c.high_inclusive = key, op == "$lte"
            if c.low == LOWEST:
                c.low = (bracket - 0.5,)
    return c


def _components(index: Index, conds: FilterConditions) -> tuple[list[_Component], bool]:
    """The bounds on the index's leading fields, and whether they are the whole filter."""
    out: list[_Component] = []
    used: set[str] = set()
    exact = conds.conjunctive and not index.multikey
    for name, _ in index.spec.keys:
        cond = conds.fields.get(name)
        if cond is None or (cond.points is None and not cond.ranges):
            break
        used.add(name)
        exact = exact and cond.exact
        if cond.points is not None and (index.multikey or not cond.ranges):
            out.append(_Component(points=[k for k, _ in cond.points]))
            exact = exact and not cond.ranges
            continue
        if cond.points is not None:  # points and a range on a single-valued field: both hold
            keys = [k for k, v in cond.points if _within(k, _range(cond.ranges, False))]
            out.append(_Component(points=keys))
            continue
        out.append(_range(cond.ranges, index.multikey))
        exact = exact and not (index.multikey and len(cond.ranges) > 1)
        break
    return out, exact and used == set(conds.fields)


def _affordable(comps: list[_Component]) -> tuple[list[_Component], bool]:
    """The leading components whose intervals number at most ``MAX_INTERVALS``, and whether that
    is all of them. The server bounds each field on its own and skips between them, so a long
    ``$in`` on a later field still narrows its scan; here the intervals are the product of the
    fields' points, so past that many the later fields are left to the filter instead of the
    index being given up (which would turn a bounded lookup into a scan of every document)."""
    combos = 1
    for i, c in enumerate(comps):
        if c.points is not None:
            combos *= len(c.points)
            if combos > MAX_INTERVALS:
                return comps[:i], False
    return comps, True


def _within(key: Key, c: _Component) -> bool:
    above = key > c.low or (c.low_inclusive and key == c.low)
    below = key < c.high or (c.high_inclusive and key == c.high)
    return above and below


def _intervals(index: Index, comps: list[_Component]) -> list[Interval]:
    n = len(index.spec.keys)
    desc = index.descending
    lowest = [Desc(HIGHEST) if d else LOWEST for d in desc]
    highest = [Desc(LOWEST) if d else HIGHEST for d in desc]
    point_lists = [c.points for c in comps if c.points is not None]
    ranged = comps[-1] if comps and comps[-1].points is None else None
    out: list[Interval] = []
    for combo in itertools.product(*point_lists):
        prefix = tuple(Desc(k) if desc[i] else k for i, k in enumerate(combo))
        j = len(prefix)
        if ranged is None:
            out.append(
                Interval(prefix + tuple(lowest[j:]), True, prefix + tuple(highest[j:]), True)
            )
            continue
        lo, lo_in, hi, hi_in = ranged.low, ranged.low_inclusive, ranged.high, ranged.high_inclusive
        if desc[j]:
            lo, lo_in, hi, hi_in = Desc(hi), hi_in, Desc(lo), lo_in  # type: ignore[assignment]
        if j + 1 < n:
            low = (*prefix, lo, *(lowest if lo_in else highest)[j + 1 :])
            high = (*prefix, hi, *(highest if hi_in else lowest)[j + 1 :])
            out.append(Interval(low, True, high, True))
        else:
            out.append(Interval((*prefix, lo), lo_in, (*prefix, hi), hi_in))
    return out


def _sort_order(index: Index, comps: list[_Component], sort: list[tuple[str, int]]) -> int | None:
    """1 or -1 if walking the index (forwards or backwards) yields ``sort``'s order."""
    if index.multikey:
        return None
    single = {
        index.spec.keys[i][0]
        for i, c in enumerate(comps)
        if c.points is not None and len(c.points) <= 1
    }
    wanted = [(p, d) for p, d in sort if p not in single]
    if not wanted:
        return 1
    factor = 0
    i = 0
    for path, direction in wanted:
        while i < len(index.spec.keys) and index.spec.keys[i][0] in single:
            i += 1
        if i >= len(index.spec.keys) or index.spec.keys[i][0] != path:
            return None
        f = 1 if direction * index.spec.keys[i][1] > 0 else -1
        if factor and f != factor:
            return None
        factor = f
        i += 1
    return factor


def _usable(index: Index, conds: FilterConditions) -> bool:
    first = conds.fields.get(index.spec.keys[0][0])
    if index.spec.sparse and (first is None or not excludes_null(first)):
        return False
    if index.spec.partial is not None:
        return _implies(conds, index.spec.partial)
    return True


def _implies(conds: FilterConditions, partial: dict[str, Any]) -> bool:
    """Every document the filter matches is in the partial index (conservatively)."""
    for name, expression in partial.items():
        if name == "$and":
            if not all(_implies(conds, clause) for clause in expression):
                return False
            continue
        cond = conds.fields.get(name)
        if cond is None or not _condition_implies(cond, name, expression):
            return False
    return True


def _condition_implies(cond: Condition, name: str, expression: Any) -> bool:
    if expression == {"$exists": True}:
        return excludes_null(cond)
    if cond.points is None or not cond.points:
        return False
    test = compile_filter({name: expression})
    for _, value in cond.points:
        doc: dict[str, Any] = {}
        node = doc
        *parents, last = split(name)
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
        if not test(doc):
            return False
    return True


def choose(
    indexes: list[Index],
    conds: FilterConditions,
    sort: list[tuple[str, int]],
    hint: str | None = None,
    covering: frozenset[str] = frozenset(),
) -> Plan:
    """The best plan; ``covering``: fields an index holding them could answer alone."""
    best: tuple[Any, ...] | None = None
    plan = Plan(index=None)
    for index in indexes:
        if hint is not None and index.name != hint:
            continue
        if not _usable(index, conds) and hint is None:
            continue
        comps, exact = _components(index, conds)
        comps, whole = _affordable(comps)
        exact = exact and whole
        order = _sort_order(index, comps, sort) if sort else None
        if not comps and order is None and hint is None:
            continue
        intervals = _intervals(index, comps)
        n_points = sum(1 for c in comps if c.points is not None)
        full_unique = index.spec.unique and n_points == len(index.spec.keys) and not index.multikey
        covers = bool(covering) and covering <= {name for name, _ in index.spec.keys}
        score = (
            full_unique,
            n_points,
            len(comps),
            order is not None,
            covers,
            -len(index.spec.keys),
        )
        if best is None or score > best:
            best = score
            points = [iv.low for iv in intervals] if full_unique else None
            plan = Plan(index, intervals, order == -1, order is not None, exact, points)
    if plan.index is None:
        plan.provides_sort = not sort
    return plan
