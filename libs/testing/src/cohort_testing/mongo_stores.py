"""Every MongoDB a store test runs against: the in-process stand-in always, and a real server
(``MONGODB_URL``, else a testcontainers ``mongo:7.0`` where Docker runs); without one, those
cases report as skipped."""

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar

import pytest

#: The ``params`` of a service's ``mongo`` fixture.
STORES = ["standin", "mongodb"]


class Handle(Protocol):
    """What a service's ``MongoHandle`` offers (``cohort_mongo.MongoHandle``)."""

    standin: bool
    db: Any

    async def ensure_indexes(self) -> None: ...

    async def close(self) -> None: ...


H = TypeVar("H", bound=Handle)


@asynccontextmanager
async def fresh_database(
    request: pytest.FixtureRequest, handle_for: Callable[[str | None, str], H], prefix: str
) -> AsyncIterator[H]:
    """A handle on a database of its own, indexes made, in the store ``request.param`` names
    (one of ``STORES``); a real server's database is dropped after."""
    url = None if request.param == "standin" else request.getfixturevalue("mongodb_url")
    handle = handle_for(url, f"{prefix}_{uuid.uuid4().hex[:10]}")
    await handle.ensure_indexes()
    yield handle
    if not handle.standin:
        await handle.db.client.drop_database(handle.db.name)
    await handle.close()


def mongo_fixture(handle_for: Callable[[str | None, str], H], prefix: str) -> object:
    """A service's ``mongo`` fixture, for its conftest (``mongo = mongo_fixture(...)``): every
    test that asks for it runs once per store in ``STORES``, on a fresh database."""

    @pytest.fixture(name="mongo", params=STORES)
    async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[H]:
        async with fresh_database(request, handle_for, prefix) as handle:
            yield handle

    return mongo
