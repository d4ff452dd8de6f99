from collections.abc import AsyncIterator

import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_store_deps
from campaign.handlers.deps import Deps
from cohort_testing.mongo_stores import STORES, fresh_database

from .builders import make_renderer
from .fakes import FakeCreditSource, FakePublisher


@pytest.fixture(params=STORES)
async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[MongoHandle]:
    async with fresh_database(request, MongoHandle, "cohort_test") as handle:
        yield handle


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def credit() -> FakeCreditSource:
    return FakeCreditSource()


@pytest.fixture
def deps(mongo: MongoHandle, publisher: FakePublisher, credit: FakeCreditSource) -> Deps:
    return build_store_deps(mongo, publisher, credit, make_renderer(), release_batch_size=3)
