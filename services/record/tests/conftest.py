import pytest

from cohort_testing.mongo_stores import mongo_fixture
from record.adapters.mongo_database import MongoHandle
from record.bootstrap import build_store_deps
from record.config import PracticeSettings, RecordSettings
from record.handlers.deps import Deps

from .builders import ORG
from .fakes import FakeMailbox, FakePublisher

mongo = mongo_fixture(MongoHandle, "record_test")


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
