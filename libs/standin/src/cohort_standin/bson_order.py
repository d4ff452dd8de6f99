"""BSON's comparison order, as tuples Python can compare, hash and sort.

``sort_key(value)`` turns a decoded BSON value into a key whose Python ordering is the server's
(https://www.mongodb.com/docs/manual/reference/bson-type-comparison-order/): first the
canonical type (the ranks below are the server's ``canonicalizeBSONType``), then the value.
Numbers of every type compare by value (``1 == 1.0 == Int64(1) == Decimal128("1")``), NaN below
every other number; strings by code point, which is UTF-8 byte order (the server compares bytes
when there is no collation); documents field by field (type, then name, then value); arrays
element by element. Equal keys mean equal values, so keys also serve for equality, index
entries and unique-index owners."""

import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson import Binary, Code, DBRef, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

Key = tuple[Any, ...]

MIN_KEY_RANK = -1
UNDEFINED_RANK = 0  # what an empty array is indexed as
NULL_RANK = 5
NUMBER_RANK = 10
STRING_RANK = 15
OBJECT_RANK = 20
ARRAY_RANK = 25
BINARY_RANK = 30
OBJECT_ID_RANK = 35
BOOL_RANK = 40
DATE_RANK = 45
TIMESTAMP_RANK = 47
REGEX_RANK = 50
DBPOINTER_RANK = 55
CODE_RANK = 60
MAX_KEY_RANK = 127

NULL_KEY: Key = (NULL_RANK,)
UNDEFINED_KEY: Key = (UNDEFINED_RANK,)
#: Below and above every key: bounds of an index scan over a whole field.
LOWEST: Key = (-100,)
HIGHEST: Key = (1000,)


def _number(value: Any) -> Key:
    if isinstance(value, float) and math.isnan(value):
        return (NUMBER_RANK, 0)
    return (NUMBER_RANK, 1, value)


def _decimal(value: Decimal128) -> Key:
    d = value.to_decimal()
    if d.is_nan():
        return (NUMBER_RANK, 0)
    if d.is_infinite():
        return (NUMBER_RANK, 1, -math.inf if d < 0 else math.inf)
    # An integral Decimal equals (and hashes as) the int, so 1, 1.0 and 1 as a decimal agree.
    return (NUMBER_RANK, 1, int(d) if d == d.to_integral_value() else d)


def _binary(value: bytes) -> Key:
    subtype = value.subtype if isinstance(value, Binary) else 0
    return (BINARY_RANK, len(value), subtype, bytes(value))


def _document(value: dict[str, Any]) -> Key:
    parts = []
    for name, v in value.items():
        k = sort_key(v)
        parts.append((k[0], name, k))
    return (OBJECT_RANK, tuple(parts))


def _array(value: list[Any]) -> Key:
    return (ARRAY_RANK, tuple(sort_key(v) for v in value))


def _datetime(value: datetime) -> Key:
    # Decoded dates are aware (UTC); a naive one (only in a filter before it is encoded) is UTC.
    return (DATE_RANK, value if value.tzinfo else value.replace(tzinfo=UTC))


_KEYS: dict[type, Callable[[Any], Key]] = {
    type(None): lambda v: NULL_KEY,
    bool: lambda v: (BOOL_RANK, v),
    int: _number,
    Int64: _number,
    float: _number,
    Decimal128: _decimal,
    str: lambda v: (STRING_RANK, v),
    dict: _document,
    list: _array,
    tuple: _array,
    bytes: _binary,
    Binary: _binary,
    ObjectId: lambda v: (OBJECT_ID_RANK, v.binary),
    datetime: _datetime,
    Timestamp: lambda v: (TIMESTAMP_RANK, v.time, v.inc),
    Regex: lambda v: (REGEX_RANK, v.pattern, str(v.flags)),
    MinKey: lambda v: (MIN_KEY_RANK,),
    MaxKey: lambda v: (MAX_KEY_RANK,),
    Code: lambda v: (CODE_RANK, str(v), sort_key(v.scope) if v.scope is not None else None),
    DBRef: lambda v: _document(v.as_doc()),
}


def sort_key(value: Any) -> Key:
    """The BSON order of a decoded value (see the module's docstring)."""
    make = _KEYS.get(type(value))
    if make is None:
        make = _subclass_key(value)
    return make(value)


def _subclass_key(value: Any) -> Callable[[Any], Key]:
    for kind, make in _KEYS.items():
        if isinstance(value, kind) and kind is not type(None):
            return make
    if isinstance(value, Decimal):
        return lambda v: _decimal(Decimal128(v))
    raise TypeError(f"no BSON order for {type(value).__name__}")


def rank(value: Any) -> int:
    """The canonical type rank alone."""
    first: int = sort_key(value)[0]
    return first


class Desc:
    """A key component in reverse: the key of a descending index field."""

    __slots__ = ("key",)

    def __init__(self, key: Key) -> None:
        self.key = key

    def __lt__(self, other: "Desc") -> bool:
        return other.key < self.key

    def __gt__(self, other: "Desc") -> bool:
        return other.key > self.key

    def __le__(self, other: "Desc") -> bool:
        return other.key <= self.key

    def __ge__(self, other: "Desc") -> bool:
        return other.key >= self.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Desc) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("desc", self.key))

    def __repr__(self) -> str:
        return f"Desc({self.key!r})"
