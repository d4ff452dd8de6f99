import uuid
from collections.abc import AsyncIterator

import pytest

from record.adapters.mongo_database import MongoHandle
from record.bootstrap import build_store_deps
from record.config import PracticeSettings, RecordSettings
from record.handlers.deps import Deps

from .builders import ORG
from .fakes import FakeMailbox, FakePublisher

#: Every MongoDB: the in-process stand-in always, and a real server (``MONGODB_URL``, else a
#: testcontainers ``mongo:7.0`` where Docker runs); without one those cases report as skipped.
STORES = ["standin", "mongodb"]


@pytest.fixture(params=STORES)
async def mongo(request: pytest.FixtureRequest) -> AsyncIterator[MongoHandle]:
    url = None if request.param == "standin" else request.getfixturevalue("mongodb_url")
    handle = MongoHandle(url, f"record_test_{uuid.uuid4().hex[:10]}")
    await handle.ensure_indexes()
    yield handle
    if not handle.standin:
        await handle.db.client.drop_database(handle.db.name)
    await handle.close()


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
