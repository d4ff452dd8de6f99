"""``StandinCollection``: what ``AsyncMongoClient()[db][name]`` is to the services.

Reads and index management live here, writes in ``collection_writes``. Every method that is a
coroutine on ``AsyncCollection`` is one here and awaits once (a round trip); ``find`` is not a
coroutine and returns a cursor, ``aggregate`` is one and returns a cursor, as in PyMongo."""

import asyncio
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pymongo import IndexModel
from pymongo.common import validate_is_mapping
from pymongo.helpers_shared import (
    _check_command_response,
    _fields_list_to_dict,
    _gen_index_name,
    _index_document,
    _index_list,
)

from .aggregation import covered_counts, run_stages
from .bson_order import sort_key
from .codec import Codec
from .collection_writes import CollectionWrites, _unsupported
from .cursor import StandinCommandCursor, StandinCursor, query_failure
from .engine import Engine
from .index import IndexSpec
from .matching import QueryError, compile_filter
from .paths import MISSING, query_values, split
from .store import CollectionStore, WriteFailure
from .write_commands import command_error

if TYPE_CHECKING:
    from .client import StandinDatabase

Document = dict[str, Any]
_PARTIAL_OPERATORS = {"$eq", "$exists", "$gt", "$gte", "$lt", "$lte", "$type", "$and", "$or", "$in"}


class StandinCollection(CollectionWrites):
    def __init__(self, database: "StandinDatabase", name: str, store: CollectionStore) -> None:
        self.database = database
        self.name = name
        self.full_name = f"{database.name}.{name}"
        self.codec: Codec = database.client.codec
        self.engine = Engine(store, self.codec)

    @property
    def codec_options(self) -> Any:
        return self.codec.options

    def __getitem__(self, name: str) -> "StandinCollection":
        return self.database[f"{self.name}.{name}"]

    def __repr__(self) -> str:
        return f"StandinCollection({self.full_name!r})"

    # Reads

    def find(
        self, filter: Mapping[str, Any] | None = None,
        projection: Mapping[str, Any] | Iterable[str] | None = None, skip: int = 0,
        limit: int = 0, sort: Any = None, batch_size: int = 0, hint: str | None = None,
        **options: Any,
    ) -> StandinCursor:  # fmt: skip
        _unsupported({k: v for k, v in options.items() if k not in _HARMLESS_FIND})
        if filter is not None:
            validate_is_mapping("filter", filter)
        fields = (
            None if projection is None else dict(_fields_list_to_dict(projection, "projection"))
        )
        return StandinCursor(self, filter, fields, skip, limit, sort, batch_size, hint)

    async def find_one(self, filter: Any = None, *args: Any, **kwargs: Any) -> Document | None:
        if filter is not None and not isinstance(filter, Mapping):
            filter = {"_id": filter}
        found = await self.find(filter, *args, **kwargs).limit(-1).to_list(1)
        return found[0] if found else None

    async def count_documents(
        self, filter: Mapping[str, Any], skip: int = 0, limit: int = 0, **options: Any
    ) -> int:
        _unsupported({k: v for k, v in options.items() if k not in _HARMLESS_FIND})
        validate_is_mapping("filter", filter)
        query = self.codec.normalized(filter)
        # PyMongo's pipeline: $skip and $limit stages only when given, and as BSON (a number
        # beyond a 64-bit integer raises OverflowError before any server sees it).
        stages = [{"$skip": skip}] if skip else []
        self.codec.encoded({"pipeline": stages + ([{"$limit": limit}] if limit else [])})
        await asyncio.sleep(0)
        try:
            walk, plan = self.engine.walk(query, hint=options.get("hint"))
            if plan.exact and plan.index is not None and not skip and not limit:
                return walk.count_exact()
            if limit:
                return len(walk.take(skip + limit)[skip:])
            return max(0, len(walk.take(None)) - skip)
        except QueryError as exc:
            query_failure(exc)
            raise

    async def estimated_document_count(self, **options: Any) -> int:
        await asyncio.sleep(0)
        return len(self.engine.store.records)

    async def distinct(
        self, key: str, filter: Mapping[str, Any] | None = None, **options: Any
    ) -> list[Any]:
        _unsupported(options)
        query = self.codec.normalized(filter or {})
        await asyncio.sleep(0)
        try:
            walk, _ = self.engine.walk(query)
        except QueryError as exc:
            query_failure(exc)
            raise
        records, parts = self.engine.store.records, split(key)
        values: dict[Any, Any] = {}
        for rid in walk.take(None):
            for v in query_values(records[rid], parts):
                if type(v) is not list and v is not MISSING:
                    values.setdefault(sort_key(v), v)
        # The server collects distinct values in a BSON-ordered set.
        ordered = [values[k] for k in sorted(values)]
        return self.codec.out({"v": ordered})["v"]  # type: ignore[no-any-return]

    async def aggregate(
        self, pipeline: Sequence[Mapping[str, Any]], **options: Any
    ) -> StandinCommandCursor:
        _unsupported({k: v for k, v in options.items() if k not in _HARMLESS_AGGREGATE})
        stages = [self.codec.normalized(stage) for stage in pipeline]
        await asyncio.sleep(0)
        try:
            docs = self._pipeline(stages)
        except QueryError as exc:
            query_failure(exc)
            raise
        return StandinCommandCursor([self.codec.out(d) for d in docs])

    def _pipeline(self, stages: list[Document]) -> list[Document]:
        query: Document = {}
        if stages and list(stages[0]) == ["$match"]:
            query = stages.pop(0)["$match"]
            compile_filter(query)
        sort = list(stages[0]["$sort"].items()) if stages and "$sort" in stages[0] else []
        walk, plan = self.engine.walk(query, sort, covering=_group_fields(stages))
        if stages and list(stages[0]) == ["$group"]:
            covered = covered_counts(plan, walk, stages[0]["$group"])
            if covered is not None:
                return run_stages(covered, stages[1:])
        records = self.engine.store.records
        if sort and plan.provides_sort and len(stages) > 1 and "$limit" in stages[1]:
            # $sort + $limit over an index in that order reads only the first documents.
            docs = [records[r] for r in walk.take(int(stages[1]["$limit"]))]
            return run_stages(docs, stages[2:])
        docs = [records[r] for r in walk.take(None)]
        if sort and plan.provides_sort:
            return run_stages(docs, stages[1:])
        return run_stages(docs, stages)

    # Indexes

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        return (await self.create_indexes([IndexModel(keys, **kwargs)]))[0]

    async def create_indexes(self, indexes: Sequence[IndexModel], **options: Any) -> list[str]:
        _unsupported(options)
        await asyncio.sleep(0)
        names = []
        for model in indexes:
            document = dict(model.document)
            names.append(self._create_index(document))
        return names

    def _create_index(self, document: Document) -> str:
        keys = list(_index_document(document.pop("key")).items())
        name = document.pop("name", None) or _gen_index_name(keys)
        document.pop("background", None)
        spec = IndexSpec(
            name=name, keys=keys, unique=bool(document.pop("unique", False)),
            sparse=bool(document.pop("sparse", False)),
            partial=document.pop("partialFilterExpression", None),
        )  # fmt: skip
        if document:
            raise NotImplementedError(f"cohort_standin does not implement index options {document}")
        for key, direction in keys:
            if direction not in (1, -1):
                raise NotImplementedError(f"cohort_standin has no {direction!r} indexes ({key})")
        self._validate_partial(spec)
        store = self.engine.store
        existing = store.indexes.get(name) or next(
            (i for i in store.indexes.values() if i.spec.keys == keys), None
        )
        if existing is not None:
            return self._existing(existing.spec, spec)
        try:
            store.build_index(spec)
        except WriteFailure as exc:
            build = uuid.uuid4()
            message = (f"Index build failed: {build}: Collection {self.full_name} ( {uuid.uuid4()} "
                       f") :: caused by :: {exc.message}")  # fmt: skip
            _check_command_response(command_error(exc.code, message, **exc.extra), None)
        return name

    def _validate_partial(self, spec: IndexSpec) -> None:
        if spec.partial is None:
            return
        if spec.sparse:
            message = 'cannot mix "partialFilterExpression" and "sparse" options'
            _check_command_response(command_error(67, message), None)
        partial = self.codec.normalized(spec.partial)
        _check_partial(partial)
        spec.partial = partial
        spec.partial_match = compile_filter(partial)

    def _existing(self, have: IndexSpec, want: IndexSpec) -> str:
        same = (have.keys, have.unique, have.sparse, have.partial) == (
            want.keys, want.unique or have.name == "_id_", want.sparse, want.partial,
        )  # fmt: skip
        if same and have.name == want.name:
            return have.name
        if have.keys == want.keys and have.name != want.name:
            message = f"Index already exists with a different name: {have.name}"
            _check_command_response(command_error(85, message), None)
        message = ("An existing index has the same name as the requested index. When index names "
                   f"are not specified, they are auto generated and can cause conflicts. "
                   f"Requested index: {want.info()}, existing index: {have.info()}")  # fmt: skip
        _check_command_response(command_error(86, message), None)
        return have.name

    async def index_information(self) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {name: i.spec.info() for name, i in self.engine.store.indexes.items()}

    async def list_indexes(self) -> StandinCommandCursor:
        await asyncio.sleep(0)
        docs = [{"v": 2, "key": i.spec.key_document(), "name": n} | _options(i.spec)
                for n, i in self.engine.store.indexes.items()]  # fmt: skip
        return StandinCommandCursor(docs)

    async def drop_index(self, index_or_name: Any) -> None:
        await asyncio.sleep(0)
        name = index_or_name
        if not isinstance(name, str):
            name = _gen_index_name(_index_list(index_or_name))
        if name == "_id_":
            _check_command_response(command_error(72, "cannot drop _id index"), None)
        if self.engine.store.indexes.pop(name, None) is None:
            message = f"index not found with name [{name}]"
            _check_command_response(command_error(27, message), None)

    async def drop_indexes(self) -> None:
        await asyncio.sleep(0)
        for name in [n for n in self.engine.store.indexes if n != "_id_"]:
            del self.engine.store.indexes[name]

    async def drop(self) -> None:
        await self.database.drop_collection(self.name)


_HARMLESS_FIND = {"comment", "allow_disk_use", "max_time_ms", "no_cursor_timeout", "session"}
_HARMLESS_AGGREGATE = {"comment", "allowDiskUse", "maxTimeMS", "batchSize", "session"}


def _group_fields(stages: list[Document]) -> frozenset[str]:
    """The field a leading ``$group`` groups by, which an index could supply."""
    if not stages or list(stages[0]) != ["$group"] or not isinstance(stages[0]["$group"], dict):
        return frozenset()
    group_id = stages[0]["$group"].get("_id")
    if type(group_id) is str and group_id.startswith("$") and "." not in group_id:
        return frozenset({group_id[1:]})
    return frozenset()


def _options(spec: IndexSpec) -> Document:
    return {k: v for k, v in spec.info().items() if k not in ("v", "key")}


def _check_partial(expression: Mapping[str, Any], top: bool = True) -> None:
    for key, value in expression.items():
        if key in ("$and", "$or"):
            for clause in value:
                _check_partial(clause, top=False)
        elif key.startswith("$") or (
            isinstance(value, dict) and any(op not in _PARTIAL_OPERATORS for op in value)
            and next(iter(value), "").startswith("$")
        ) or (isinstance(value, dict) and value.get("$exists") is False):  # fmt: skip
            message = f"Expression not supported in partial index: {key}: {value!r}"
            _check_command_response(command_error(67, message), None)
