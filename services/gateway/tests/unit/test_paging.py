"""Numbered pages are read one request at a time, and only while there are more."""

from dataclasses import dataclass

from gateway.handlers.paging import numbered_pages


@dataclass(frozen=True)
class Page:
    items: list[int]
    total: int


async def test_every_page_is_read_once_in_order() -> None:
    asked: list[int] = []

    async def fetch(number: int) -> Page:
        asked.append(number)
        return Page(items=[number], total=5)

    pages = [page async for page in numbered_pages(Page(items=[1], total=5), fetch, 2)]

    assert [page.items for page in pages] == [[1], [2], [3]]
    assert asked == [2, 3]


async def test_one_page_asks_nothing_more() -> None:
    async def fetch(number: int) -> Page:
        raise AssertionError("no second page")

    pages = [page async for page in numbered_pages(Page(items=[1, 2], total=2), fetch, 500)]

    assert len(pages) == 1


async def test_an_empty_page_ends_the_reading_when_the_total_shrank_meanwhile() -> None:
    async def fetch(number: int) -> Page:
        return Page(items=[], total=1000)

    pages = [page async for page in numbered_pages(Page(items=[1], total=1000), fetch, 1)]

    assert [page.items for page in pages] == [[1], []]
