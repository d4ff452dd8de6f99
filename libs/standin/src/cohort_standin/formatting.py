"""Values written the way the server writes them into error messages
(``dup key: { nhs_number: "9434765919" }``, ``of non-numeric type string``)."""

import math
from datetime import datetime
from typing import Any

from bson import Binary, Decimal128, Int64, MaxKey, MinKey, ObjectId, Regex, Timestamp

_TYPE_NAMES: dict[type, str] = {
    type(None): "null",
    bool: "bool",
    int: "int",
    Int64: "long",
    float: "double",
    Decimal128: "decimal",
    str: "string",
    dict: "object",
    list: "array",
    bytes: "binData",
    Binary: "binData",
    ObjectId: "objectId",
    datetime: "date",
    Timestamp: "timestamp",
    Regex: "regex",
    MinKey: "minKey",
    MaxKey: "maxKey",
}


def type_name(value: Any) -> str:
    """The BSON type's alias, as ``$type`` and error messages name it."""
    if type(value) is int and not -(2**31) <= value < 2**31:
        return "long"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _scalar(value: Any) -> str | None:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if type(value) is float:
        if math.isnan(value):
            return "nan"
        return repr(value) if not math.isinf(value) else ("inf" if value > 0 else "-inf")
    return None


def describe(value: Any) -> str:
    """The server's text for a value (its ``BSONElement::toString`` style)."""
    scalar = _scalar(value)
    if scalar is not None:
        return scalar
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal128):
        return f'NumberDecimal("{value}")'
    if isinstance(value, ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, datetime):
        millis = round(value.timestamp() * 1000)
        return f"new Date({millis})"
    if isinstance(value, dict):
        return describe_document(value)
    if isinstance(value, list):
        return "[ " + ", ".join(describe(v) for v in value) + " ]" if value else "[]"
    return repr(value)


def describe_document(doc: dict[str, Any]) -> str:
    if not doc:
        return "{}"
    return "{ " + ", ".join(f"{k}: {describe(v)}" for k, v in doc.items()) + " }"
