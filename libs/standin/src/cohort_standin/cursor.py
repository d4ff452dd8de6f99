"""``find``'s cursor, fetching in batches as the server returns them.

The first batch is ``batch_size`` documents (101 by default, the server's), each later one
``batch_size`` or up to 16 MiB; every batch costs one await, so other coroutines' writes land
between batches as other clients' do between getMores. A sort the chosen index gives is
streamed and stops after skip + limit; any other sort reads every match first (the server's
blocking SORT stage) and then hands out copies of that snapshot."""

import asyncio
from collections import deque
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pymongo.errors import InvalidOperation
from pymongo.helpers_shared import _check_command_response, _index_document, _index_list
from pymongo.message import _gen_find_command
from pymongo.read_concern import ReadConcern

from .matching import QueryError
from .projection import compile_projection
from .walk import Walk, sort_documents
from .write_commands import command_error

if TYPE_CHECKING:
    from .collection import StandinCollection

Document = dict[str, Any]
FIRST_BATCH = 101
MAX_BATCH_BYTES = 16 * 1024 * 1024


def query_failure(exc: QueryError) -> None:
    """Raise what PyMongo raises for a failed read command."""
    _check_command_response(command_error(exc.code, exc.message), None)


def _check_count(name: str, value: int, *, negative_ok: bool = False) -> None:
    """PyMongo's checks on ``skip``, ``limit`` and ``batch_size``, with its messages (a negative
    limit is allowed: it asks for a single batch)."""
    if not isinstance(value, int):
        raise TypeError(f"{name} must be an integer, not {type(value)}")
    if value < 0 and not negative_ok:
        raise ValueError(f"{name} must be >= 0")


class StandinCursor:
    def __init__(
        self, collection: "StandinCollection", filter: Mapping[str, Any] | None,
        projection: Mapping[str, Any] | None, skip: int = 0, limit: int = 0,
        sort: Any = None, batch_size: int = 0, hint: str | None = None,
    ) -> None:  # fmt: skip
        self._collection = collection
        self._filter = collection.codec.normalized(filter or {})
        self._projection = projection
        self._skip, self._limit, self._batch_size = skip, limit, batch_size
        self._sort: list[tuple[str, int]] = []
        self._hint = hint
        if sort is not None:
            self.sort(sort)
        self._started = False
        self._exhausted = False
        self._buffer: deque[Document] = deque()
        self._walk: Walk | None = None
        self._sorted: list[Document] | None = None
        self._returned = 0
        self._project: Callable[[Document], Document] | None = None

    # Options, as PyMongo's cursor takes them

    def _check_okay_to_chain(self) -> None:
        if self._started:
            raise InvalidOperation("cannot set options after executing query")

    def sort(self, key_or_list: Any, direction: int | str | None = None) -> "StandinCursor":
        self._check_okay_to_chain()
        ordering = _index_document(_index_list(key_or_list, direction))
        for field, value in ordering.items():
            if value not in (1, -1):
                raise NotImplementedError(f"cohort_standin sorts only by 1 or -1, not {value!r}")
            if field.startswith("$"):
                raise NotImplementedError("cohort_standin does not sort by $natural or $meta")
        self._sort = list(ordering.items())
        return self

    def skip(self, skip: int) -> "StandinCursor":
        _check_count("skip", skip)
        self._check_okay_to_chain()
        self._skip = skip
        return self

    def limit(self, limit: int) -> "StandinCursor":
        _check_count("limit", limit, negative_ok=True)
        self._check_okay_to_chain()
        self._limit = limit
        return self

    def batch_size(self, batch_size: int) -> "StandinCursor":
        _check_count("batch_size", batch_size)
        self._check_okay_to_chain()
        self._batch_size = batch_size
        return self

    def hint(self, index: str | None) -> "StandinCursor":
        self._check_okay_to_chain()
        self._hint = index
        return self

    # Fetching

    @property
    def alive(self) -> bool:
        return bool(self._buffer) or not self._exhausted

    def _remaining(self) -> int | None:
        if not self._limit:
            return None
        return abs(self._limit) - self._returned

    def _batch_limit(self) -> int | None:
        size = self._batch_size or (None if self._started else FIRST_BATCH)
        remaining = self._remaining()
        if remaining is None:
            return size
        return remaining if size is None else min(size, remaining)

    def _start(self) -> None:
        engine = self._collection.engine
        self._project = compile_projection(self._projection)
        walk, plan = engine.walk(self._filter, self._sort, self._hint)
        if self._sort and not plan.provides_sort:
            records = engine.store.records
            docs = sort_documents([records[r] for r in walk.take(None)], self._sort)
            self._sorted = docs[self._skip :]
        else:
            if self._skip:
                walk.take(self._skip)
            self._walk = walk

    def _next_docs(self, n: int | None) -> list[Document]:
        if self._sorted is not None:
            taken = self._sorted[:n] if n is not None else self._sorted
            self._sorted = self._sorted[len(taken) :]
            self._exhausted = not self._sorted
            return taken
        assert self._walk is not None
        records = self._collection.engine.store.records
        docs = [records[r] for r in self._walk.take(n)]
        self._exhausted = self._walk.done
        return docs

    async def _refresh(self) -> None:
        """Fetch the next batch into the buffer (one round trip)."""
        await asyncio.sleep(0)
        if not self._started:
            self._check_command()
        try:
            if not self._started:
                self._start()
        except QueryError as exc:
            self._exhausted = True
            query_failure(exc)
        first = not self._started
        self._started = True
        n = self._batch_limit() if not first else self._first_batch_limit()
        if n is not None:
            out = self._copy_out(self._next_docs(n))
        else:
            # A getMore without a batch size returns up to 16 MiB.
            out, size = [], 0
            while size < MAX_BATCH_BYTES and not self._exhausted:
                chunk = self._copy_out(self._next_docs(1000))
                size += sum(len(d) for d in chunk)
                out.extend(chunk)
        decode = self._collection.codec.decode_out
        self._returned += len(out)
        if self._limit < 0 or self._remaining() == 0:
            self._exhausted = True
        self._buffer.extend(decode(d) for d in out)

    def _check_command(self) -> None:
        """The find command, as PyMongo builds it, must encode as BSON: a skip, limit or batch
        size beyond a 64-bit integer raises ``OverflowError`` there, before any server sees it.
        (The filter is left out: it was encoded already, when the cursor was made.)"""
        command = _gen_find_command(
            self._collection.name, {}, self._projection, self._skip, self._limit,
            self._batch_size, None, ReadConcern(),
        )  # fmt: skip
        self._collection.codec.encoded(command)

    def _first_batch_limit(self) -> int | None:
        size = self._batch_size or FIRST_BATCH
        remaining = self._remaining()
        return size if remaining is None else min(size, remaining)

    def _copy_out(self, docs: list[Document]) -> list[bytes]:
        encode = self._collection.codec.encoded
        project = self._project
        return [encode(project(d)) if project else encode(d) for d in docs]

    async def to_list(self, length: int | None = None) -> list[Document]:
        if isinstance(length, int) and length < 1:
            raise ValueError("to_list() length must be greater than 0")
        result: list[Document] = []
        while length is None or len(result) < length:
            if not self._buffer:
                if self._exhausted:
                    break
                await self._refresh()
                continue
            take = len(self._buffer) if length is None else length - len(result)
            result.extend(self._buffer.popleft() for _ in range(take))
        return result

    async def next(self) -> Document:
        while not self._buffer:
            if self._exhausted:
                raise StopAsyncIteration
            await self._refresh()
        return self._buffer.popleft()

    def __aiter__(self) -> "StandinCursor":
        return self

    async def __anext__(self) -> Document:
        return await self.next()

    async def close(self) -> None:
        self._buffer.clear()
        self._exhausted = True

    async def __aenter__(self) -> "StandinCursor":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class StandinCommandCursor:
    """``aggregate``'s and ``list_indexes``' cursor: every result was computed up front."""

    def __init__(self, docs: list[Document]) -> None:
        self._docs = docs

    @property
    def alive(self) -> bool:
        return bool(self._docs)

    async def to_list(self, length: int | None = None) -> list[Document]:
        if isinstance(length, int) and length < 1:
            raise ValueError("to_list() length must be greater than 0")
        taken = self._docs[:length] if length is not None else self._docs
        self._docs = self._docs[len(taken) :]
        return taken

    async def next(self) -> Document:
        if not self._docs:
            raise StopAsyncIteration
        return self._docs.pop(0)

    def __aiter__(self) -> "StandinCommandCursor":
        return self

    async def __anext__(self) -> Document:
        return await self.next()

    async def close(self) -> None:
        self._docs = []

    async def __aenter__(self) -> "StandinCommandCursor":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
