"""Test data: every id unique, overridable."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

from cohort_contracts.sending import RecordEntryRequested

ORG = "A81001"
OTHER_ORG = "B82002"
DELIVERED_AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
TEXT = "Hello Olivia, your flu jab is due. Book at Example Surgery: 01234 567890."


def record_entry_requested(**overrides: Any) -> RecordEntryRequested:
    fields: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": ORG,
        "nhs_number": "9434765919",
        "campaign_id": uuid.uuid4(),
        "recipient_id": uuid.uuid4().hex,
        "channel": "sms",
        "message_text": TEXT,
        "delivered_at": DELIVERED_AT,
        "family_name": "Smith",
        "birth_date": date(1980, 2, 29),
    }
    fields.update(overrides)
    return RecordEntryRequested(**fields)
