"""Update operators, applied to a private copy of one document.

As on MongoDB 5.0+, every field an update names is processed in path order (names
lexicographically, numeric names numerically, whatever the operator), so new fields appear in
that order; two operators on one path, or on a path and its prefix, are refused (code 40); a
path through a scalar cannot be created (code 28). ``$inc`` keeps the server's number types
(int + int overflows into a long, a long stays a long, a double wins). The caller checks that
``_id`` did not change (code 66) and that the result is valid BSON."""

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import Decimal128, Int64

from .bson_order import sort_key
from .formatting import describe, type_name
from .paths import split
from .server_errors import ServerError

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_SUPPORTED = {"$set", "$unset", "$inc", "$mul", "$min", "$max", "$push", "$addToSet",
              "$setOnInsert", "$currentDate"}  # fmt: skip
_KNOWN = _SUPPORTED | {"$rename", "$pop", "$pull", "$pullAll", "$bit"}


class UpdateError(ServerError):
    """An update the server would refuse."""


def is_number(v: Any) -> bool:
    """A BSON number: what $inc, $mul and the $sum/$avg accumulators work on."""
    return type(v) in (int, Int64, float, Decimal128)


def _arith(a: Any, b: Any, multiply: bool) -> Any:
    if type(a) is Decimal128 or type(b) is Decimal128:
        x, y = Decimal128(str(a)).to_decimal(), Decimal128(str(b)).to_decimal()
        return Decimal128(x * y if multiply else x + y)
    if type(a) is float or type(b) is float:
        return float(a) * float(b) if multiply else float(a) + float(b)
    result = int(a) * int(b) if multiply else int(a) + int(b)
    if not _INT64[0] <= result <= _INT64[1]:
        raise UpdateError(2, f"Failed to apply $inc operations to current value ({a})")
    if type(a) is Int64 or type(b) is Int64 or not _INT32[0] <= result <= _INT32[1]:
        return Int64(result)
    return result


def _order(path: tuple[str, ...]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in path)


def _planned(update: Mapping[str, Any], inserting: bool) -> list[tuple[tuple[str, ...], str, Any]]:
    steps: list[tuple[tuple[str, ...], str, Any]] = []
    for op, fields in update.items():
        if op not in _KNOWN:
            raise UpdateError(
                9,
                f"Unknown modifier: {op}. Expected a valid update modifier or pipeline-style "
                "update specified as an array",
            )
        if op not in _SUPPORTED:
            raise NotImplementedError(f"cohort_standin does not implement the {op} update")
        if type(fields) is not dict:
            raise UpdateError(
                9,
                f"Modifiers operate on fields but we found type {type_name(fields)} instead. "
                f"For example: {{$mod: {{<field>: ...}}}} not {{{op}: {describe(fields)}}}",
            )
        if op == "$setOnInsert" and not inserting:
            # Still checked for conflicts below, as the server parses it either way.
            steps.extend((split(p), "$skip", v) for p, v in fields.items())
            continue
        steps.extend((split(p), op, v) for p, v in fields.items())
    steps.sort(key=lambda s: _order(s[0]))
    for (a, _, _), (b, _, _) in itertools.pairwise(steps):
        if b[: len(a)] == a:
            raise UpdateError(
                40,
                f"Updating the path '{'.'.join(b)}' would create a conflict at '{'.'.join(a)}'",
            )
    return steps


def apply_update(doc: dict[str, Any], update: Mapping[str, Any], inserting: bool) -> None:
    """Apply an operator update to ``doc`` in place (``inserting``: an upsert's new document)."""
    for path, op, arg in _planned(update, inserting):
        if op == "$skip":
            continue
        if op == "$unset":
            _unset(doc, path)
            continue
        parent, name = _parent(doc, path, create=True)
        current = _get(parent, name)
        _set(parent, name, _new_value(doc, path, op, arg, current))


_ABSENT: Any = object()


def _new_value(doc: dict[str, Any], path: tuple[str, ...], op: str, arg: Any, current: Any) -> Any:
    dotted = ".".join(path)
    if op in ("$set", "$setOnInsert"):
        return arg
    if op == "$currentDate":
        now = datetime.now(UTC)
        return now.replace(microsecond=now.microsecond // 1000 * 1000)
    if op in ("$inc", "$mul"):
        if not is_number(arg):
            verb = "increment" if op == "$inc" else "multiply"
            raise UpdateError(
                14, f"Cannot {verb} with non-numeric argument: {{{dotted}: {describe(arg)}}}"
            )
        if current is _ABSENT:
            return arg if op == "$inc" else _arith(arg, 0, multiply=True)
        if not is_number(current):
            raise UpdateError(
                14,
                f"Cannot apply {op} to a value of non-numeric type. {{_id: "
                f"{describe(doc.get('_id'))}}} has the field '{path[-1]}' of non-numeric type "
                f"{type_name(current)}",
            )
        return _arith(current, arg, multiply=op == "$mul")
    if op in ("$min", "$max"):
        if current is _ABSENT:
            return arg
        lower = sort_key(arg) < sort_key(current)
        return arg if lower == (op == "$min") and sort_key(arg) != sort_key(current) else current
    return _pushed(doc, dotted, op, arg, current)


def _pushed(doc: dict[str, Any], dotted: str, op: str, arg: Any, current: Any) -> list[Any]:
    if current is _ABSENT:
        current = []
    elif type(current) is not list:
        raise UpdateError(
            2 if op == "$push" else 14,
            f"The field '{dotted.split('.')[-1]}' must be an array but is of type "
            f"{type_name(current)} in document {{_id: {describe(doc.get('_id'))}}}",
        )
    items, position, slice_ = [arg], None, None
    if type(arg) is dict and "$each" in arg:
        extra = set(arg) - {"$each", "$position", "$slice"}
        if extra:
            raise NotImplementedError(f"cohort_standin does not implement {sorted(extra)} in {op}")
        items, position, slice_ = arg["$each"], arg.get("$position"), arg.get("$slice")
        if type(items) is not list:
            raise UpdateError(2, f"The argument to $each in {op} must be an array but it was of "
                                 f"type: {type_name(items)}")  # fmt: skip
    result = list(current)
    if op == "$addToSet":
        for item in items:
            if all(sort_key(item) != sort_key(v) for v in result):
                result.append(item)
        return result
    at = len(result) if position is None else position
    result[at:at] = items
    if slice_ is not None:
        result = result[:slice_] if slice_ >= 0 else result[slice_:]
    return result


def _get(parent: Any, name: str) -> Any:
    if type(parent) is list:
        i = int(name)
        return parent[i] if i < len(parent) else _ABSENT
    return parent.get(name, _ABSENT)


def _set(parent: Any, name: str, value: Any) -> None:
    if type(parent) is list:
        i = int(name)
        parent.extend([None] * (i + 1 - len(parent)))
        parent[i] = value
    else:
        parent[name] = value


def _parent(doc: dict[str, Any], path: tuple[str, ...], create: bool) -> tuple[Any, str]:
    node: Any = doc
    for depth, part in enumerate(path[:-1]):
        child = _step(node, part, path, depth)
        if child is _ABSENT:
            if not create:
                return None, path[-1]
            child = {}
            _set(node, part, child)
        elif type(child) not in (dict, list):
            if not create:
                return None, path[-1]
            raise UpdateError(
                28,
                f"Cannot create field '{path[depth + 1]}' in element {{{part}: {describe(child)}}}",
            )
        node = child
    if type(node) is list and not path[-1].isdigit():
        if not create:
            return None, path[-1]
        holder = path[-2] if len(path) > 1 else ""
        raise UpdateError(
            28, f"Cannot create field '{path[-1]}' in element {{{holder}: {describe(node)}}}"
        )
    return node, path[-1]


def _step(node: Any, part: str, path: tuple[str, ...], depth: int) -> Any:
    if type(node) is list:
        if not part.isdigit():
            raise UpdateError(
                28,
                f"Cannot create field '{part}' in element "
                f"{{{path[depth - 1] if depth else ''}: {describe(node)}}}",
            )
        return _get(node, part)
    return node.get(part, _ABSENT)


def _unset(doc: dict[str, Any], path: tuple[str, ...]) -> None:
    try:
        parent, name = _parent(doc, path, create=False)
    except UpdateError:
        return
    if parent is None:
        return
    if type(parent) is list:
        # An array element is unset to null: the array keeps its length.
        if name.isdigit() and int(name) < len(parent):
            parent[int(name)] = None
    else:
        parent.pop(name, None)
