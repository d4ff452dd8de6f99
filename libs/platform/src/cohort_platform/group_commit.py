"""Group commit: items submitted about the same time are written together, and each submitter
returns only once the write holding its item has succeeded (or fails with its error).

For callers that must not answer before their item is safe (a webhook answering 200 tells
Firetext it may forget the receipt) but arrive one at a time, far faster than one broker message
each could carry them. A batch is written when it is full or when its first item has waited
``max_wait_s``, whichever comes first, so a lone item waits at most that long. Items are
batched per key (an organisation), because one message belongs to one organisation."""

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Overloaded(Exception):
    """More items wait than the group commit may hold; the caller should be told to retry."""


@dataclass
class _Batch(Generic[T]):
    items: list[T] = field(default_factory=list)
    written: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class GroupCommit(Generic[K, T]):
    def __init__(
        self,
        write: Callable[[K, list[T]], Awaitable[None]],
        *,
        max_items: int,
        max_wait_s: float,
        max_pending: int,
    ) -> None:
        self._write = write
        self._max_items, self._max_wait_s, self._max_pending = max_items, max_wait_s, max_pending
        self._open: dict[K, _Batch[T]] = {}
        self._writing: set[asyncio.Task[None]] = set()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Items submitted and not yet written (or failed)."""
        return self._pending

    async def submit(self, key: K, item: T) -> None:
        if self._pending >= self._max_pending:
            raise Overloaded(f"{self._pending} items waiting")
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _Batch()
            asyncio.get_running_loop().call_later(self._max_wait_s, self._seal, key, batch)
        batch.items.append(item)
        self._pending += 1
        if len(batch.items) >= self._max_items:
            self._seal(key, batch)
        # Shielded: a caller that gives up (a dropped connection) must not cancel a write
        # that holds other callers' items too.
        await asyncio.shield(batch.written)

    def _seal(self, key: K, batch: _Batch[T]) -> None:
        if self._open.get(key) is not batch:
            return  # already written (full before its time was up)
        del self._open[key]
        task = asyncio.create_task(self._write_batch(key, batch))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _write_batch(self, key: K, batch: _Batch[T]) -> None:
        try:
            await self._write(key, batch.items)
        except Exception as exc:
            batch.written.set_exception(exc)
        else:
            batch.written.set_result(None)
        finally:
            self._pending -= len(batch.items)
            # Nobody may be waiting any more (every caller gave up); retrieving the outcome
            # keeps asyncio from reporting an exception that was never looked at.
            with contextlib.suppress(Exception):
                batch.written.exception()

    async def close(self) -> None:
        """Write what is open now and wait for every write in flight (graceful shutdown)."""
        for key, batch in list(self._open.items()):
            self._seal(key, batch)
        await asyncio.gather(*self._writing, return_exceptions=True)
