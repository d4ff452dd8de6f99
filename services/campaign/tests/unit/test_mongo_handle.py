"""Without MONGODB_URL campaign runs on the in-process stand-in, which only a development
install has; without it, campaign says what to do instead of failing on an import."""

import sys

import pytest

from campaign.adapters.mongo_database import MongoHandle


async def test_the_standin_answers_ping_and_closes() -> None:
    handle = MongoHandle(None, "handle_test")
    assert handle.standin
    assert await handle.ping()
    await handle.close()


def test_without_the_standin_installed_it_says_to_set_mongodb_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "cohort_standin", None)  # as if not installed
    with pytest.raises(RuntimeError, match="set MONGODB_URL; the in-process stand-in is a dev"):
        MongoHandle(None, "handle_test")
