"""The upload use case: bounded concurrent publishing, retries, and what happens on failure."""

import io
import tracemalloc

import pytest

from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import RESOLVE_ROWS
from gateway.domain.caller import Caller
from gateway.domain.uploads import inspect_csv, iter_rows
from gateway.handlers import patient_lists
from gateway.handlers.patient_lists import RowsNotQueued, UploadLimits, accept_patient_list

from ..fakes import FakeCampaign, FakePublisher

CALLER = Caller(user_id="user-1", org_id="A81001")


def csv_file(rows: int) -> io.BytesIO:
    body = "".join(f"{9000000000 + i},01/02/1980,Name {i}\n" for i in range(rows))
    return io.BytesIO(("NHS Number,DOB,Name\n" + body).encode())


async def accept(
    publisher: FakePublisher, rows: int, window: int = 4, campaign: FakeCampaign | None = None
) -> FakeCampaign:
    campaign = campaign or FakeCampaign()
    owned = campaign.add_campaign(org_id=CALLER.org_id)
    await accept_patient_list(
        campaign,
        publisher,
        CALLER,
        campaign_id=owned.id,
        channel="email",
        filename="list.csv",
        file=csv_file(rows),
        limits=UploadLimits(max_rows=10_000, batch_size=10, publish_window=window),
    )
    return campaign


async def test_publishes_concurrently_within_the_window() -> None:
    publisher = FakePublisher(delay_s=0.01)

    await accept(publisher, rows=95, window=4)

    assert publisher.max_in_flight == 4
    messages = [m for _, m in publisher.published]
    assert all(isinstance(m, ResolveRows) for m in messages)
    assert {route for route, _ in publisher.published} == {RESOLVE_ROWS}
    assert sorted(m.batch_number for m in messages if isinstance(m, ResolveRows)) == list(range(10))


async def test_a_publish_that_was_not_confirmed_is_retried_with_the_same_message_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(patient_lists, "RETRY_DELAY_S", 0.0)
    publisher = FakePublisher(failures=2)

    await accept(publisher, rows=5, window=1)

    assert publisher.attempts == 3
    assert len(publisher.published) == 1


async def test_rows_that_cannot_be_queued_raise_naming_the_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(patient_lists, "RETRY_DELAY_S", 0.0)
    publisher = FakePublisher(fail_always=True)
    campaign = FakeCampaign()

    with pytest.raises(RowsNotQueued) as caught:
        await accept(publisher, rows=50, window=2, campaign=campaign)

    assert publisher.published == []
    assert list(campaign.lists) == [caught.value.list_id]


def test_memory_does_not_grow_with_the_file() -> None:
    file = csv_file(30_000)  # ~1 MB
    size = len(file.getvalue())
    tracemalloc.start()
    try:
        layout = inspect_csv(file, max_rows=30_000)
        count = sum(1 for _ in iter_rows(file, layout))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 30_000
    assert peak < size / 10
