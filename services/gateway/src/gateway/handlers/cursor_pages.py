"""Downloads read from campaign a page at a time, each page on from the one before."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, TypeVar

Cursor = TypeVar("Cursor")


class CursorPage(Protocol):
    """A page that says where the next one starts (``None``: it is the last)."""

    # Any: the cursor is a string or a row number, and a protocol cannot tie it to the type
    # read_after takes; each caller's read_after names it.
    @property
    def next_after(self) -> Any: ...


Page = TypeVar("Page", bound=CursorPage)


async def pages_from(
    first_page: Page, read_after: Callable[[Cursor], Awaitable[Page]]
) -> AsyncIterator[Page]:
    """``first_page`` (fetched by the caller, so that a campaign or list that is not there is an
    HTTP error before a download starts), then each page read after the one before's cursor.
    A cursor, unlike a page number, does not skip every item before it, so the last page of a
    large campaign costs what the first does."""
    page = first_page
    while True:
        yield page
        if page.next_after is None:
            return
        page = await read_after(page.next_after)
