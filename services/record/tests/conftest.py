from collections.abc import AsyncIterator

import pytest

from cohort_testing.mongo_stores import STORES, fresh_database
from record.adapters.mongo_database import MongoHandle
from record.bootstrap import build_store_deps
from record.config import PracticeSettings, RecordSettings
from record.handlers.deps import Deps

from .builders import ORG
from .fakes import FakeMailbox, FakePublisher


@pytest.fixture(params=STORES)
async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[MongoHandle]:
    async with fresh_database(request, MongoHandle, "record_test") as handle:
        yield handle


@pytest.fixture
def mailbox() -> FakeMailbox:
    return FakeMailbox()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


def settings(**overrides: object) -> RecordSettings:
    fields: dict[str, object] = {
        "practices": {
            ORG: PracticeSettings(
                name="Example Surgery", addressing="mailbox", mailbox="A81001GP1"
            ),
            "A81002": PracticeSettings(name="Riverside Medical Centre"),
        },
        "retry_delays_s": [60, 300],
    }
    fields.update(overrides)
    return RecordSettings(**fields)  # type: ignore[arg-type]


@pytest.fixture
def deps(mongo: MongoHandle, mailbox: FakeMailbox, publisher: FakePublisher) -> Deps:
    return build_store_deps(settings(), mongo, mailbox, publisher)
