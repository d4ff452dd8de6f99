import pytest

from campaign.adapters.mongo_database import MongoHandle
from campaign.bootstrap import build_store_deps
from campaign.handlers.deps import Deps
from cohort_testing.mongo_stores import mongo_fixture

from .builders import make_renderer
from .fakes import FakeCreditSource, FakePublisher

mongo = mongo_fixture(MongoHandle, "cohort_test")


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def credit() -> FakeCreditSource:
    return FakeCreditSource()


@pytest.fixture
def deps(mongo: MongoHandle, publisher: FakePublisher, credit: FakeCreditSource) -> Deps:
    return build_store_deps(mongo, publisher, credit, make_renderer(), release_batch_size=3)
