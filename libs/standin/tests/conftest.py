from collections.abc import AsyncIterator

import pytest

from cohort_standin import StandinClient, StandinCollection


@pytest.fixture
async def client() -> AsyncIterator[StandinClient]:
    client = StandinClient()
    yield client
    await client.close()


@pytest.fixture
def coll(client: StandinClient) -> StandinCollection:
    return client["db"]["things"]
