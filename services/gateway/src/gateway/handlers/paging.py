"""Reading every page of a numbered, paged answer from campaign (questionnaire
responses), one request at a time as the reader goes."""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Protocol, TypeVar


class NumberedPage(Protocol):
    @property
    def items(self) -> Sequence[object]: ...

    @property
    def total(self) -> int: ...


P = TypeVar("P", bound=NumberedPage)


async def numbered_pages(
    first: P, fetch: Callable[[int], Awaitable[P]], page_size: int
) -> AsyncIterator[P]:
    """``first`` (page 1, which the caller fetched so that a campaign that is not there is an
    HTTP error before a download starts), then each following page while there are more.
    An empty page ends it too: the total may have shrunk meanwhile."""
    number, page = 1, first
    while True:
        yield page
        if not page.items or number * page_size >= page.total:
            return
        number += 1
        page = await fetch(number)
