"""Reading dotted paths out of documents, the way each part of the server reads them.

The query language, indexes and aggregation each traverse arrays differently:

- **queries** (``query_values``): every value a path reaches, where an array met midway is
  entered element by element (documents continue the path, a numeric part also indexes the
  array) and an array at the end stands for itself and for each of its elements. A branch that
  ends at a missing field yields ``MISSING`` (which a null equality matches).
- **indexes** (``index_values``): one key per array element at the end of the path (an empty
  array is the key ``undefined``), null for a missing field.
- **aggregation** (``agg_value``): ``"$a.b"`` over an array of documents is the array of
  their ``b``s; missing is ``MISSING``."""

from typing import Any

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
EMPTY_ARRAY: Any = type("EmptyArray", (), {"__repr__": lambda self: "EMPTY_ARRAY"})()


def split(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def query_values(doc: Any, parts: tuple[str, ...], expand: bool = True) -> list[Any]:
    """Every value ``parts`` reaches in ``doc`` (see the module's docstring); ``expand=False``:
    an array at the end stands only for itself."""
    out: list[Any] = []
    _collect(doc, parts, 0, out, expand)
    return out


def _collect(value: Any, parts: tuple[str, ...], i: int, out: list[Any], expand: bool) -> None:
    if i == len(parts):
        out.append(value)
        if expand and type(value) is list:
            out.extend(value)
        return
    part = parts[i]
    if type(value) is dict:
        child = value.get(part, MISSING)
        if child is MISSING:
            out.append(MISSING)
        else:
            _collect(child, parts, i + 1, out, expand)
    elif type(value) is list:
        before = len(out)
        for element in value:
            if type(element) is dict:
                _collect(element, parts, i, out, expand)
        if part.isdigit() and int(part) < len(value):
            _collect(value[int(part)], parts, i + 1, out, expand)
        if len(out) == before:
            out.append(MISSING)
    else:
        out.append(MISSING)


def exists(doc: Any, parts: tuple[str, ...]) -> bool:
    return any(v is not MISSING for v in query_values(doc, parts))


def index_values(doc: dict[str, Any], parts: tuple[str, ...]) -> tuple[list[Any], bool]:
    """The keys a document has in an index field, and whether an array produced them."""
    out: list[Any] = []
    multikey = _index_collect(doc, parts, 0, out)
    return (out or [None]), multikey


def _index_collect(value: Any, parts: tuple[str, ...], i: int, out: list[Any]) -> bool:
    if i == len(parts):
        if type(value) is list:
            if not value:
                out.append(EMPTY_ARRAY)
            out.extend(value)
            return True
        out.append(value)
        return False
    part = parts[i]
    if type(value) is dict:
        child = value.get(part, MISSING)
        if child is MISSING:
            out.append(None)
            return False
        return _index_collect(child, parts, i + 1, out)
    if type(value) is list:
        return _index_array(value, parts, i, out)
    out.append(None)
    return False


def _index_array(value: list[Any], parts: tuple[str, ...], i: int, out: list[Any]) -> bool:
    part = parts[i]
    if part.isdigit() and int(part) < len(value) and not any(type(v) is dict for v in value):
        return _index_collect(value[int(part)], parts, i + 1, out)
    for element in value:
        if type(element) is dict:
            _index_collect(element, parts, i, out)
        else:
            out.append(None)
    if not value:
        out.append(None)
    return True


def agg_value(doc: Any, parts: tuple[str, ...]) -> Any:
    """What the aggregation expression ``"$" + ".".join(parts)`` evaluates to."""
    value = doc
    for i, part in enumerate(parts):
        if type(value) is dict:
            value = value.get(part, MISSING)
            if value is MISSING:
                return MISSING
        elif type(value) is list:
            rest = parts[i:]
            found = [agg_value(e, rest) for e in value if type(e) in (dict, list)]
            return [v for v in found if v is not MISSING]
        else:
            return MISSING
    return value
