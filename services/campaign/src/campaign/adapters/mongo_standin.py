"""The in-process MongoDB stand-in: mongomock (with pymongo-async-mock's fixes) behind the
async interface the repositories use, usable for a practice's whole list. Nothing here changes
what an operation returns or does, only how long it takes and where it runs.

mongomock is synchronous: awaited on the event loop, it would block it for as long as each
operation takes (seconds, for a review of a large list), and RPCs would time out. Every
operation runs on one worker thread, one at a time: each is atomic (as a single-document
operation is on MongoDB) while operations of concurrent requests interleave (as they do on
MongoDB). ``mongo_standin_query`` makes the operations themselves fast."""

import asyncio
import functools
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from mongomock import helpers
from mongomock.collection import BulkOperationBuilder
from pymongo_async_mock import AsyncMongoMockClient

from .mongo_standin_query import Document, aggregate_documents, find_documents, speed_up

T = TypeVar("T")

#: pymongo-async-mock wraps this again for every collection it opens (its guard looks for a name
#: that ``functools.wraps`` replaces), until the wrappers overflow the stack; restored each time.
_ADD_UPDATE = BulkOperationBuilder.add_update

#: Documents fetched per trip to the worker while iterating a cursor.
DEFAULT_BATCH = 500


class StandinCursor:
    def __init__(self, collection: "StandinCollection", query: Any, projection: Any) -> None:
        self._collection = collection
        self._query, self._projection = query, projection
        self._sort: Sequence[tuple[str, int]] | None = None
        self._skip = self._limit = 0
        self._batch = DEFAULT_BATCH
        self._docs: Iterator[Document] | None = None
        self._buffer: list[Document] = []

    def sort(self, key_or_list: Any, direction: int | None = None) -> "StandinCursor":
        self._sort = helpers.create_index_list(key_or_list, direction)  # type: ignore[no-untyped-call]
        return self

    def skip(self, skip: int) -> "StandinCursor":
        self._skip = skip
        return self

    def limit(self, limit: int) -> "StandinCursor":
        self._limit = limit
        return self

    def batch_size(self, batch_size: int) -> "StandinCursor":
        self._batch = batch_size or DEFAULT_BATCH
        return self

    def _next_batch(self, n: int | None) -> list[Document]:
        if self._docs is None:
            self._docs = find_documents(
                self._collection.opened(),
                self._query,
                self._projection,
                self._sort,
                self._skip,
                self._limit,
            )
        return list(itertools.islice(self._docs, n))

    async def to_list(self, length: int | None = None) -> list[Document]:
        return await self._collection.run(self._next_batch, length)

    async def _first(self) -> Document | None:
        found = await self._collection.run(self._next_batch, 1)
        return found[0] if found else None

    def __aiter__(self) -> "StandinCursor":
        return self

    async def __anext__(self) -> Document:
        if not self._buffer:
            self._buffer = (await self._collection.run(self._next_batch, self._batch))[::-1]
            if not self._buffer:
                raise StopAsyncIteration
        return self._buffer.pop()


class StandinCommandCursor:
    def __init__(self, docs: list[Document]) -> None:
        self._docs = iter(docs)

    def __aiter__(self) -> "StandinCommandCursor":
        return self

    async def __anext__(self) -> Document:
        try:
            return next(self._docs)
        except StopIteration:
            raise StopAsyncIteration from None

    async def to_list(self, length: int | None = None) -> list[Document]:
        return list(itertools.islice(self._docs, length))


class StandinCollection:
    """A collection's operations, each run on the worker thread. (The mongomock collection is
    opened there too: nothing of mongomock is touched from the event loop's thread.)"""

    def __init__(self, opener: Callable[[], Any], executor: ThreadPoolExecutor) -> None:
        self._open = opener
        self._sync: Any = None
        self._executor = executor

    def opened(self) -> Any:
        """The mongomock collection (on the worker thread only)."""
        if self._sync is None:
            self._sync = self._open()
        return self._sync

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await self.run(lambda: getattr(self.opened(), method)(*args, **kwargs))

    def find(
        self, filter: Any = None, projection: Any = None, *, batch_size: int = 0
    ) -> StandinCursor:
        return StandinCursor(self, filter, projection).batch_size(batch_size)

    async def find_one(self, filter: Any = None, projection: Any = None) -> Document | None:
        if filter is not None and not isinstance(filter, Mapping):
            filter = {"_id": filter}
        return await self.find(filter, projection).limit(1)._first()

    async def aggregate(self, pipeline: Sequence[Mapping[str, Any]]) -> StandinCommandCursor:
        docs = await self.run(lambda: aggregate_documents(self.opened(), pipeline))
        return StandinCommandCursor(docs)

    async def insert_one(self, document: Document) -> Any:
        return await self._call("insert_one", document)

    async def insert_many(self, documents: list[Document], ordered: bool = True) -> Any:
        return await self._call("insert_many", documents, ordered=ordered)

    async def update_one(self, filter: Document, update: Document, **kwargs: Any) -> Any:
        return await self._call("update_one", filter, update, **kwargs)

    async def update_many(self, filter: Document, update: Document, **kwargs: Any) -> Any:
        return await self._call("update_many", filter, update, **kwargs)

    async def replace_one(self, filter: Document, replacement: Document, **kwargs: Any) -> Any:
        return await self._call("replace_one", filter, replacement, **kwargs)

    async def delete_one(self, filter: Document) -> Any:
        return await self._call("delete_one", filter)

    async def delete_many(self, filter: Document) -> Any:
        return await self._call("delete_many", filter)

    async def bulk_write(self, requests: list[Any], ordered: bool = True) -> Any:
        return await self._call("bulk_write", requests, ordered=ordered)

    async def count_documents(self, filter: Document, **kwargs: Any) -> int:
        count: int = await self._call("count_documents", filter, **kwargs)
        return count

    async def create_index(self, keys: Any, **kwargs: Any) -> str:
        name: str = await self._call("create_index", keys, **kwargs)
        return name


class StandinDatabase:
    def __init__(self, client: "StandinClient", name: str) -> None:
        self.client, self.name = client, name
        self._collections: dict[str, StandinCollection] = {}

    def __getitem__(self, name: str) -> StandinCollection:
        if name not in self._collections:
            opener = functools.partial(self.client.open_collection, self.name, name)
            self._collections[name] = StandinCollection(opener, self.client.executor)
        return self._collections[name]


class StandinClient:
    def __init__(self) -> None:
        self._async = AsyncMongoMockClient()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mongo-standin")

    def open_collection(self, database: str, name: str) -> Any:
        db = self._async[database]
        BulkOperationBuilder.add_update = _ADD_UPDATE  # type: ignore[method-assign]
        db.get_collection(name)  # pymongo-async-mock patches the (cached) collection it wraps
        collection = db.delegate.get_collection(name)
        speed_up(collection)
        return collection

    def __getitem__(self, name: str) -> StandinDatabase:
        return StandinDatabase(self, name)

    def close(self) -> None:
        self.executor.shutdown(wait=True)
        self._async.close()
