"""Pages read on from a cursor: each page ends at a position (where an item stands in the
order the pages are read, e.g. ``ListPosition``, ``TimePosition``), written as the cursor the
next page starts after."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Position(Protocol):
    def cursor(self) -> str: ...


def next_cursor(
    items: Sequence[T], page_size: int, position: Callable[[T], Position]
) -> str | None:
    """Where the next page starts: after this page's last item when the page is full (it may
    have more after it; the page after the last full one is empty), none after one that is
    not."""
    return position(items[-1]).cursor() if len(items) == page_size else None
