"""A collection's write methods, with PyMongo's signatures, validation, results and errors.

Each builds the command PyMongo would send, runs the stand-in's version of it
(``write_commands``), and hands the reply to PyMongo's own checks, so the exception raised
(``DuplicateKeyError``, ``WriteError``, ``BulkWriteError``, ``OperationFailure``) and its
``details`` are the driver's."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bson import ObjectId
from bson.raw_bson import RawBSONDocument
from pymongo import ReturnDocument
from pymongo.common import (
    validate_is_document_type,
    validate_is_mapping,
    validate_ok_for_replace,
    validate_ok_for_update,
)
from pymongo.helpers_shared import (
    _check_command_response,
    _check_write_command_response,
    _fields_list_to_dict,
    _index_document,
)
from pymongo.results import (
    BulkWriteResult,
    DeleteResult,
    InsertManyResult,
    InsertOneResult,
    UpdateResult,
)

from . import bulk, write_commands
from .codec import Codec
from .engine import Engine

Document = dict[str, Any]


def _no_session(session: Any) -> None:
    if session is not None:
        raise NotImplementedError("cohort_standin has no sessions or transactions")


class CollectionWrites:
    engine: Engine
    codec: Codec

    async def insert_one(
        self, document: Any, bypass_document_validation: bool | None = None,
        session: Any = None, comment: Any = None,
    ) -> InsertOneResult:  # fmt: skip
        _no_session(session)
        validate_is_document_type("document", document)
        if not (isinstance(document, RawBSONDocument) or "_id" in document):
            document["_id"] = ObjectId()
        reply = await write_commands.insert(self.engine, [self.codec.stored(document)], True)
        _check_write_command_response(reply)
        return InsertOneResult(document.get("_id"), True)

    async def insert_many(
        self, documents: Iterable[Any], ordered: bool = True,
        bypass_document_validation: bool | None = None, session: Any = None,
        comment: Any = None,
    ) -> InsertManyResult:  # fmt: skip
        _no_session(session)
        if not isinstance(documents, Iterable) or isinstance(documents, Mapping) or not documents:
            raise TypeError("documents must be a non-empty list")
        recorder = bulk.BulkRecorder()
        ids = []
        for document in documents:
            recorder.add_insert(document)
            ids.append(document["_id"])
        await bulk.execute(self.engine, recorder, ordered)
        return InsertManyResult(ids, True)

    async def _update(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], multi: bool,
        upsert: bool, sort: Any = None, **options: Any,
    ) -> UpdateResult:  # fmt: skip
        _unsupported(options)
        validate_is_mapping("filter", filter)
        op: dict[str, Any] = {
            "q": self.codec.normalized(filter),
            "u": self.codec.normalized(update),
            "multi": multi,
            "upsert": upsert,
        }
        if sort is not None:
            op["sort"] = _index_document(sort)
        reply = await write_commands.update(self.engine, [op], True)
        _check_write_command_response(reply)
        if reply.get("n") and "upserted" not in reply:
            reply["updatedExisting"] = True
        else:
            reply["updatedExisting"] = False
            if "upserted" in reply:
                reply["upserted"] = reply["upserted"][0]["_id"]
        return UpdateResult(reply, True)

    async def update_one(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False,
        **options: Any,
    ) -> UpdateResult:  # fmt: skip
        validate_ok_for_update(update)
        return await self._update(filter, update, False, upsert, **options)

    async def update_many(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], upsert: bool = False,
        **options: Any,
    ) -> UpdateResult:  # fmt: skip
        validate_ok_for_update(update)
        return await self._update(filter, update, True, upsert, **options)

    async def replace_one(
        self, filter: Mapping[str, Any], replacement: Mapping[str, Any], upsert: bool = False,
        **options: Any,
    ) -> UpdateResult:  # fmt: skip
        validate_ok_for_replace(replacement)
        return await self._update(filter, replacement, False, upsert, **options)

    async def _delete(self, filter: Mapping[str, Any], limit: int, options: Any) -> DeleteResult:
        _unsupported(options)
        validate_is_mapping("filter", filter)
        op = {"q": self.codec.normalized(filter), "limit": limit}
        reply = await write_commands.delete(self.engine, [op], True)
        _check_write_command_response(reply)
        return DeleteResult(reply, True)

    async def delete_one(self, filter: Mapping[str, Any], **options: Any) -> DeleteResult:
        return await self._delete(filter, 1, options)

    async def delete_many(self, filter: Mapping[str, Any], **options: Any) -> DeleteResult:
        return await self._delete(filter, 0, options)

    async def bulk_write(
        self, requests: Sequence[Any], ordered: bool = True,
        bypass_document_validation: bool | None = None, session: Any = None,
        comment: Any = None, let: Any = None,
    ) -> BulkWriteResult:  # fmt: skip
        _no_session(session)
        if not isinstance(requests, list):
            raise TypeError(f"requests must be a list, not {type(requests)}")
        full = await bulk.execute(self.engine, bulk.record(requests), ordered)
        return BulkWriteResult(full, True)

    async def _find_and_modify(
        self, filter: Mapping[str, Any], update: Mapping[str, Any] | None,
        projection: Mapping[str, Any] | Iterable[str] | None, sort: Any, upsert: bool,
        return_document: bool, options: Mapping[str, Any],
    ) -> Document | None:  # fmt: skip
        _unsupported(options)
        validate_is_mapping("filter", filter)
        if not isinstance(return_document, bool):
            raise TypeError(
                "return_document must be ReturnDocument.BEFORE or ReturnDocument.AFTER, "
                f"not {type(return_document)}"
            )
        fields = None if projection is None else _fields_list_to_dict(projection, "projection")
        reply = await write_commands.find_and_modify(
            self.engine,
            self.codec.normalized(filter),
            update=None if update is None else self.codec.normalized(update),
            sort=None if sort is None else list(_index_document(sort).items()),
            upsert=upsert,
            new=return_document,
            fields=fields,
        )
        _check_command_response(reply, None)
        value = reply.get("value")
        return None if value is None else self.codec.out(value)

    async def find_one_and_update(
        self, filter: Mapping[str, Any], update: Mapping[str, Any], projection: Any = None,
        sort: Any = None, upsert: bool = False,
        return_document: bool = ReturnDocument.BEFORE, **options: Any,
    ) -> Document | None:  # fmt: skip
        validate_ok_for_update(update)
        return await self._find_and_modify(
            filter, update, projection, sort, upsert, return_document, options
        )

    async def find_one_and_replace(
        self, filter: Mapping[str, Any], replacement: Mapping[str, Any], projection: Any = None,
        sort: Any = None, upsert: bool = False,
        return_document: bool = ReturnDocument.BEFORE, **options: Any,
    ) -> Document | None:  # fmt: skip
        validate_ok_for_replace(replacement)
        return await self._find_and_modify(
            filter, replacement, projection, sort, upsert, return_document, options
        )

    async def find_one_and_delete(
        self, filter: Mapping[str, Any], projection: Any = None, sort: Any = None,
        **options: Any,
    ) -> Document | None:  # fmt: skip
        return await self._find_and_modify(filter, None, projection, sort, False, False, options)


def _unsupported(options: Mapping[str, Any]) -> None:
    """Options that change nothing here pass; any other is refused, never silently ignored."""
    harmless = {"comment", "bypass_document_validation", "let"}
    session = options.get("session")
    _no_session(session)
    given = [k for k, v in options.items() if v is not None and k not in harmless | {"session"}]
    if given:
        raise NotImplementedError(f"cohort_standin does not implement {', '.join(given)}")
