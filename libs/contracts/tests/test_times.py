"""Every time that crosses a boundary is aware, held in UTC and written with ``Z``."""

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from cohort_contracts.campaign_views import AuditEntry
from cohort_contracts.sending import DeliveryReported

BST = timezone(timedelta(hours=1))


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        AuditEntry(at=datetime(2026, 6, 1, 9, 30), actor="u", action="sent", details={})


def test_times_are_converted_to_utc_and_written_with_z() -> None:
    entry = AuditEntry(at=datetime(2026, 6, 1, 10, 30, tzinfo=BST), actor="u", action="sent")
    assert entry.at == datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    assert entry.model_dump(mode="json")["at"] == "2026-06-01T09:30:00Z"


def test_the_envelope_time_is_utc_with_z() -> None:
    event = DeliveryReported(
        correlation_id=uuid.uuid4(),
        org_id="A81001",
        recipient_id="r1",
        status="delivered",
        reported_at=datetime(2026, 12, 6, 17, 0, tzinfo=UTC),
    )
    dumped = event.model_dump(mode="json")
    assert dumped["occurred_at"].endswith("Z")
    assert dumped["reported_at"] == "2026-12-06T17:00:00Z"
