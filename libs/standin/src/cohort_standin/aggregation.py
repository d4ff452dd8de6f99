"""Aggregation pipelines: ``$match`` (through the planner when it comes first, as the server
pushes it down to the query layer), ``$group``, ``$sort``, ``$skip``, ``$limit``, ``$count``,
``$project`` (0/1 fields) and ``$unset``. ``$group`` keys and accumulators take field paths
(``"$a.b"``), constants, and documents of those; accumulators ``$sum``, ``$avg``, ``$min``,
``$max``, ``$first``, ``$last``, ``$push``, ``$addToSet``, ``$count``. Other stages the server
knows raise ``NotImplementedError``. Groups come out in the order their first document was
met (the server promises no order)."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bson import Int64

from .bson_order import NULL_RANK, STRING_RANK, Desc, sort_key
from .matching import QueryError, compile_filter
from .paths import MISSING, agg_value, split
from .planner import Plan
from .projection import compile_projection
from .update_ops import _arith, is_number
from .walk import Walk, sort_documents

Document = dict[str, Any]
Expression = Callable[[Document], Any]
_KNOWN_STAGES = {
    "$addFields", "$bucket", "$bucketAuto", "$collStats", "$densify", "$facet", "$fill",
    "$geoNear", "$graphLookup", "$indexStats", "$lookup", "$merge", "$out", "$redact",
    "$replaceRoot", "$replaceWith", "$sample", "$set", "$setWindowFields", "$sortByCount",
    "$unionWith", "$unwind",
}  # fmt: skip


def expression(spec: Any) -> Expression:
    if type(spec) is str and spec.startswith("$"):
        if spec.startswith("$$"):
            raise NotImplementedError("cohort_standin does not implement aggregation variables")
        parts = split(spec[1:])
        return lambda doc: agg_value(doc, parts)
    if type(spec) is dict:
        if spec and next(iter(spec)).startswith("$"):
            raise NotImplementedError(f"cohort_standin does not implement {next(iter(spec))}")
        fields = {name: expression(v) for name, v in spec.items()}
        return lambda doc: {n: v for n, e in fields.items() if (v := e(doc)) is not MISSING}
    return lambda doc: spec


class _Accumulator:
    def __init__(self, op: str, arg: Any) -> None:
        if op not in ("$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet",
                      "$count"):  # fmt: skip
            raise NotImplementedError(f"cohort_standin does not implement the {op} accumulator")
        self.op = op
        self.arg = expression(arg) if op != "$count" else (lambda doc: 1)

    def start(self) -> list[Any]:
        starts: dict[str, list[Any]] = {"$sum": [0], "$count": [0], "$avg": [0, 0]}
        if self.op in ("$push", "$addToSet"):
            return [[]]
        return list(starts.get(self.op, [MISSING]))

    def add(self, state: list[Any], doc: Document) -> None:
        v = self.arg(doc)
        op = self.op
        if op in ("$sum", "$count", "$avg"):
            if is_number(v):
                state[0] = _arith(state[0], v, multiply=False)
                if op == "$avg":
                    state[1] += 1
        elif op in ("$min", "$max"):
            if v is not MISSING and v is not None and (
                state[0] is MISSING or ((sort_key(v) < sort_key(state[0])) == (op == "$min")
                and sort_key(v) != sort_key(state[0]))
            ):  # fmt: skip
                state[0] = v
        elif op == "$first":
            if state[0] is MISSING:
                state[0] = None if v is MISSING else v
        elif op == "$last":
            state[0] = None if v is MISSING else v
        elif v is not MISSING and (
            op == "$push" or all(sort_key(v) != sort_key(x) for x in state[0])
        ):
            state[0].append(v)

    def result(self, state: list[Any]) -> Any:
        if self.op == "$avg":
            return None if not state[1] else float(state[0]) / state[1]
        return None if state[0] is MISSING else state[0]


def _group(docs: Iterable[Document], spec: Mapping[str, Any]) -> list[Document]:
    if "_id" not in spec:
        raise QueryError(15955, "a group specification must include an _id")
    key_of = expression(spec["_id"])
    accumulators: dict[str, _Accumulator] = {}
    for name, acc in spec.items():
        if name == "_id":
            continue
        if type(acc) is not dict or len(acc) != 1:
            raise QueryError(40234, f"The field '{name}' must be an accumulator object")
        ((op, arg),) = acc.items()
        accumulators[name] = _Accumulator(op, arg)
    groups: dict[Any, tuple[Any, dict[str, list[Any]]]] = {}
    for doc in docs:
        key = key_of(doc)
        key = None if key is MISSING else key
        hashed = sort_key(key)
        group = groups.get(hashed)
        if group is None:
            group = groups[hashed] = (key, {n: a.start() for n, a in accumulators.items()})
        for name, acc in accumulators.items():
            acc.add(group[1][name], doc)
    return [
        {"_id": key, **{n: a.result(states[n]) for n, a in accumulators.items()}}
        for key, states in groups.values()
    ]


def _constant_sums(spec: Mapping[str, Any]) -> dict[str, int] | None:
    """``{name: k}`` when every accumulator is ``$sum`` of a constant ``k`` (or ``$count``)."""
    sums: dict[str, int] = {}
    for name, acc in spec.items():
        if name == "_id":
            continue
        if acc == {"$count": {}}:
            acc = {"$sum": 1}
        if type(acc) is not dict or list(acc) != ["$sum"] or type(acc["$sum"]) is not int:
            return None
        sums[name] = acc["$sum"]
    return sums


def covered_counts(plan: Plan, walk: Walk, spec: Mapping[str, Any]) -> list[Document] | None:
    """``$group`` by one indexed field with constant ``$sum``s (a count by status), read from
    the index alone when its bounds are exactly the ``$match``, as the server covers a
    pipeline that needs only indexed fields; None when that does not apply."""
    group_id = spec.get("_id")
    if plan.index is None or not plan.exact or plan.points is not None:
        return None
    if type(group_id) is not str or not group_id.startswith("$") or "." in group_id:
        return None
    sums = _constant_sums(spec)
    if sums is None:
        return None
    names = [name for name, _ in plan.index.spec.keys]
    if group_id[1:] not in names:
        return None
    position = names.index(group_id[1:])
    counts: dict[Any, int] = {}
    for key in walk.exact_keys():
        component = key[position]
        counts[component] = counts.get(component, 0) + 1
    out = []
    for component, n in counts.items():
        key = component.key if isinstance(component, Desc) else component
        if key[0] not in (STRING_RANK, NULL_RANK):
            return None  # only these keys hold their value as it was stored
        value = key[1] if key[0] == STRING_RANK else None
        out.append({"_id": value, **{name: n * k for name, k in sums.items()}})
    return out


def _limit(value: Any, stage: str) -> int:
    if type(value) not in (int, Int64, float) or value < (1 if stage == "$limit" else 0):
        raise QueryError(15958, f"invalid argument to {stage} stage")
    return int(value)


def run_stages(docs: list[Document], stages: Sequence[Mapping[str, Any]]) -> list[Document]:
    """Apply the stages after any leading ``$match`` (which the caller planned)."""
    for stage in stages:
        if len(stage) != 1:
            raise QueryError(40323, "A pipeline stage specification object must contain "
                                    "exactly one field.")  # fmt: skip
        ((name, arg),) = stage.items()
        run = _STAGES.get(name)
        if run is None:
            if name in _KNOWN_STAGES:
                raise NotImplementedError(f"cohort_standin does not implement the {name} stage")
            raise QueryError(40324, f"Unrecognized pipeline stage name: '{name}'")
        docs = run(docs, arg)
    return docs


def _match(docs: list[Document], arg: Any) -> list[Document]:
    predicate = compile_filter(arg)
    return [d for d in docs if predicate(d)]


def _project(docs: list[Document], spec: Any) -> list[Document]:
    project = compile_projection(spec)
    return [project(d) for d in docs] if project else docs


_STAGES: dict[str, Callable[[list[Document], Any], list[Document]]] = {
    "$match": _match,
    "$group": _group,
    "$sort": lambda docs, arg: sort_documents(docs, list(arg.items())),
    "$skip": lambda docs, arg: docs[_limit(arg, "$skip") :],
    "$limit": lambda docs, arg: docs[: _limit(arg, "$limit")],
    "$count": lambda docs, arg: [{arg: len(docs)}] if docs else [],
    "$project": _project,
    "$unset": lambda docs, arg: _project(
        docs, dict.fromkeys([arg] if type(arg) is str else arg, 0)
    ),
}
