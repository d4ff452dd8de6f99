"""``bulk_write`` and ``insert_many``: PyMongo's own batching, merging and errors around the
stand-in's write commands.

PyMongo splits a bulk write into runs (ordered: consecutive operations of one kind; unordered:
all inserts, then all updates, then all deletes) and sends each run as one command. The
operations are recorded here through their own ``_add_to_bulk`` (so ``InsertOne`` gets its
``_id`` and an update is validated exactly as the driver does), and each command's reply is
merged with PyMongo's ``_merge_command``, which also fills each write error's ``index`` and
``op``; a failure raises PyMongo's ``BulkWriteError``."""

from collections.abc import Mapping, Sequence
from typing import Any

from bson import ObjectId
from bson.raw_bson import RawBSONDocument
from pymongo.bulk_shared import _merge_command, _raise_bulk_write_error, _Run
from pymongo.common import (
    validate_is_document_type,
    validate_ok_for_replace,
    validate_ok_for_update,
)
from pymongo.errors import InvalidOperation
from pymongo.message import _DELETE, _INSERT, _UPDATE
from pymongo.operations import _IndexKeyHint

from . import write_commands
from .codec import Codec
from .engine import Engine


class BulkRecorder:
    """Collects operations as PyMongo's ``_Bulk`` does (its ``add_*`` methods)."""

    def __init__(self) -> None:
        self.ops: list[tuple[int, Any]] = []

    def add_insert(self, document: Any) -> None:
        validate_is_document_type("document", document)
        if not (isinstance(document, RawBSONDocument) or "_id" in document):
            document["_id"] = ObjectId()
        self.ops.append((_INSERT, document))

    def add_update(
        self, selector: Mapping[str, Any], update: Any, multi: bool, upsert: bool | None,
        collation: Any = None, array_filters: Any = None, hint: _IndexKeyHint | None = None,
        sort: Mapping[str, Any] | None = None,
    ) -> None:  # fmt: skip
        validate_ok_for_update(update)
        _unsupported(collation=collation, array_filters=array_filters, hint=hint)
        self._add_update({"q": selector, "u": update, "multi": multi}, upsert, sort)

    def add_replace(
        self, selector: Mapping[str, Any], replacement: Mapping[str, Any], upsert: bool | None,
        collation: Any = None, hint: _IndexKeyHint | None = None,
        sort: Mapping[str, Any] | None = None,
    ) -> None:  # fmt: skip
        validate_ok_for_replace(replacement)
        _unsupported(collation=collation, hint=hint)
        self._add_update({"q": selector, "u": replacement}, upsert, sort)

    def _add_update(
        self, cmd: dict[str, Any], upsert: bool | None, sort: Mapping[str, Any] | None
    ) -> None:
        # The server reads an absent upsert or sort as its default, so only given ones are sent.
        if upsert is not None:
            cmd["upsert"] = upsert
        if sort is not None:
            cmd["sort"] = sort
        self.ops.append((_UPDATE, cmd))

    def add_delete(
        self, selector: Mapping[str, Any], limit: int, collation: Any = None,
        hint: _IndexKeyHint | None = None,
    ) -> None:  # fmt: skip
        _unsupported(collation=collation, hint=hint)
        self.ops.append((_DELETE, {"q": selector, "limit": limit}))

    def runs(self, ordered: bool) -> list[_Run]:
        runs: list[_Run] = []
        if ordered:
            for idx, (kind, op) in enumerate(self.ops):
                if not runs or runs[-1].op_type != kind:
                    runs.append(_Run(kind))
                runs[-1].add(idx, op)
            return runs
        by_kind = [_Run(_INSERT), _Run(_UPDATE), _Run(_DELETE)]
        for idx, (kind, op) in enumerate(self.ops):
            by_kind[kind].add(idx, op)
        return [run for run in by_kind if run.ops]


def _unsupported(**options: Any) -> None:
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise NotImplementedError(f"cohort_standin does not implement {', '.join(given)}")


def record(requests: Sequence[Any]) -> BulkRecorder:
    recorder = BulkRecorder()
    for request in requests:
        add = getattr(request, "_add_to_bulk", None)
        if add is None:
            raise TypeError(f"{request!r} is not a valid request")
        add(recorder)
    return recorder


async def _run_command(engine: Engine, codec: Codec, run: _Run, ordered: bool) -> dict[str, Any]:
    if run.op_type == _INSERT:
        docs = [codec.stored(doc) for doc in run.ops]
        return await write_commands.insert(engine, docs, ordered)
    ops = [{**op, "q": codec.normalized(op["q"])} for op in run.ops]
    if run.op_type == _UPDATE:
        ops = [{**op, "u": codec.normalized(op["u"])} for op in ops]
        return await write_commands.update(engine, ops, ordered)
    return await write_commands.delete(engine, ops, ordered)


async def execute(engine: Engine, recorder: BulkRecorder, ordered: bool) -> dict[str, Any]:
    """Run every operation; the merged result, or PyMongo's ``BulkWriteError``."""
    if not recorder.ops:
        raise InvalidOperation("No operations to execute")
    full: dict[str, Any] = {
        "writeErrors": [], "writeConcernErrors": [], "nInserted": 0, "nUpserted": 0,
        "nMatched": 0, "nModified": 0, "nRemoved": 0, "upserted": [],
    }  # fmt: skip
    for run in recorder.runs(ordered):
        reply = await _run_command(engine, engine.codec, run, ordered)
        _merge_command(run, full, 0, reply)
        if ordered and full["writeErrors"]:
            break
    if full["writeErrors"]:
        _raise_bulk_write_error(full)
    return full
