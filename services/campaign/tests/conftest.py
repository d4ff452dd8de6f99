import uuid
from collections.abc import AsyncIterator

import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_store_deps
from campaign.handlers.deps import Deps

from .builders import make_renderer
from .fakes import FakeCreditSource, FakePublisher

#: Every MongoDB: the in-process stand-in always, and a real server (``MONGODB_URL``, else a
#: testcontainers ``mongo:7.0`` where Docker runs); without one those cases report as skipped.
STORES = ["standin", "mongodb"]


@pytest.fixture(params=STORES)
async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[MongoHandle]:
    url = None if request.param == "standin" else request.getfixturevalue("mongodb_url")
    handle = MongoHandle(url, f"cohort_test_{uuid.uuid4().hex[:10]}")
    await handle.ensure_indexes()
    yield handle
    if not handle.standin:
        await handle.db.client.drop_database(handle.db.name)
    await handle.close()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def credit() -> FakeCreditSource:
    return FakeCreditSource()


@pytest.fixture
def deps(mongo: MongoHandle, publisher: FakePublisher, credit: FakeCreditSource) -> Deps:
    return build_store_deps(mongo, publisher, credit, make_renderer(), release_batch_size=3)
