"""The server's write commands (insert, update, delete, findAndModify) and their replies.

Each command awaits once before it runs, as a round trip would. Its documents are then written
one at a time, each atomically; a multi-document update or delete also yields every
``YIELD_EVERY`` documents, as the server yields to other operations, and never changes one
document twice (the server's guard against a document moving ahead of its scan). Errors
become the reply's ``writeErrors`` (``index``, ``code``, ``errmsg``, ``keyPattern``,
``keyValue``); an ordered command stops at the first. The replies are the server's, so
PyMongo's own code turns them into results and exceptions."""

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from .bson_order import sort_key
from .engine import Engine
from .matching import QueryError
from .projection import compile_projection
from .store import Document, WriteFailure

YIELD_EVERY = 1000

CODE_NAMES = {
    2: "BadValue", 9: "FailedToParse", 14: "TypeMismatch", 28: "PathNotViable",
    40: "ConflictingUpdateOperators", 53: "InvalidIdField", 66: "ImmutableField",
    67: "CannotCreateIndex", 85: "IndexOptionsConflict", 86: "IndexKeySpecsConflict",
    171: "CannotIndexParallelArrays", 11000: "DuplicateKey", 26: "NamespaceNotFound",
    27: "IndexNotFound", 72: "InvalidOptions",
}  # fmt: skip


def command_error(code: int, message: str, **extra: Any) -> dict[str, Any]:
    """A failed command's reply."""
    name = CODE_NAMES.get(code, f"Location{code}")
    return {"ok": 0.0, "errmsg": message, "code": code, "codeName": name, **extra}


def _failure(exc: Exception) -> WriteFailure:
    if isinstance(exc, WriteFailure):
        return exc
    if isinstance(exc, QueryError):
        return WriteFailure(exc.code, exc.message)
    raise exc


async def insert(engine: Engine, docs: list[Document], ordered: bool) -> dict[str, Any]:
    """``docs`` already stored-form (see ``Codec.stored``)."""
    await asyncio.sleep(0)
    n, errors = 0, []
    for i, doc in enumerate(docs):
        try:
            engine.insert(doc)
            n += 1
        except WriteFailure as exc:
            errors.append(exc.error_document(i))
            if ordered:
                break
    return _reply(n, errors)


def _reply(n: int, errors: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    reply: dict[str, Any] = {"n": n, **fields}
    if errors:
        reply["writeErrors"] = errors
    reply["ok"] = 1.0
    return reply


async def update(engine: Engine, ops: Sequence[Mapping[str, Any]], ordered: bool) -> dict[str, Any]:
    """Each op ``{"q", "u", "multi", "upsert"}`` as PyMongo builds it (``u`` with operators,
    or a replacement)."""
    await asyncio.sleep(0)
    matched = modified = 0
    upserted: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for i, op in enumerate(ops):
        try:
            m, changed, new_id = await _update_one_op(engine, op)
        except (WriteFailure, QueryError) as exc:
            errors.append(_failure(exc).error_document(i))
            if ordered:
                break
            continue
        matched += m
        modified += changed
        if new_id is not _NONE:
            upserted.append({"index": i, "_id": new_id})
    fields: dict[str, Any] = {"nModified": modified}
    if upserted:
        fields["upserted"] = upserted
    return _reply(matched + len(upserted), errors, **fields)


_NONE: Any = object()


def _is_replacement(u: Mapping[str, Any]) -> bool:
    return not any(k.startswith("$") for k in u)


async def _update_one_op(engine: Engine, op: Mapping[str, Any]) -> tuple[int, int, Any]:
    query, u = op["q"], op["u"]
    replace = _is_replacement(u)
    if not op.get("multi"):
        sort = list(op["sort"].items()) if op.get("sort") else None
        rid = engine.first_match(query, sort)
        if rid is None:
            return (0, 0, engine.upsert(query, u, replace)) if op.get("upsert") else (0, 0, _NONE)
        return 1, int(engine.update_record(rid, u, replace)), _NONE
    walk, _ = engine.walk(query)
    done: set[int] = set()
    matched = modified = 0
    while not walk.done:
        for rid in walk.take(YIELD_EVERY):
            if rid in done:
                continue
            done.add(rid)
            matched += 1
            modified += engine.update_record(rid, u, replace=False)
        if not walk.done:
            await asyncio.sleep(0)
    if not matched and op.get("upsert"):
        return 0, 0, engine.upsert(query, u, replace=False)
    return matched, modified, _NONE


async def delete(engine: Engine, ops: Sequence[Mapping[str, Any]], ordered: bool) -> dict[str, Any]:
    """Each op ``{"q", "limit"}`` (limit 1: one document, 0: all)."""
    await asyncio.sleep(0)
    n, errors = 0, []
    for i, op in enumerate(ops):
        try:
            walk, _ = engine.walk(op["q"])
            while not walk.done:
                found = walk.take(1 if op["limit"] else YIELD_EVERY)
                for rid in found:
                    engine.store.delete(rid)
                n += len(found)
                if op["limit"] and found:
                    break
                if not walk.done:
                    await asyncio.sleep(0)
        except QueryError as exc:
            errors.append(_failure(exc).error_document(i))
            if ordered:
                break
    return _reply(n, errors)


async def find_and_modify(
    engine: Engine,
    query: Mapping[str, Any],
    *,
    update: Mapping[str, Any] | None,
    sort: list[tuple[str, int]] | None,
    upsert: bool,
    new: bool,
    fields: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """``update`` None removes the document found."""
    await asyncio.sleep(0)
    try:
        project = compile_projection(fields)
        rid = engine.first_match(query, sort)
        records = engine.store.records
        last_error: dict[str, Any] = {"n": 0}
        value: Document | None = None
        if rid is None:
            if upsert and update is not None:
                new_id = engine.upsert(query, update, _is_replacement(update))
                last_error = {"n": 1, "updatedExisting": False, "upserted": new_id}
                if new:
                    value = records[engine.store.rid_for_id((sort_key(new_id),))]  # type: ignore[index]
        elif update is None:
            value = records[rid]
            engine.store.delete(rid)
            last_error = {"n": 1}
        else:
            before = records[rid]
            engine.update_record(rid, update, _is_replacement(update))
            value = records[rid] if new else before
            last_error = {"n": 1, "updatedExisting": True}
    except (WriteFailure, QueryError) as exc:
        failure = _failure(exc)
        return command_error(failure.code, failure.message, **failure.extra)
    if value is not None and project is not None:
        value = project(value)
    return {"lastErrorObject": last_error, "value": value, "ok": 1.0}
