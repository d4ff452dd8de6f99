"""Test data for messages."""

import uuid
from typing import Any

from cohort_contracts.ingest import ResolveRows, UploadedRow


def make_row(row_number: int, nhs_number: str, date_of_birth: str = "29/02/1980") -> UploadedRow:
    return UploadedRow(
        row_number=row_number,
        nhs_number=nhs_number,
        date_of_birth=date_of_birth,
        cells=[nhs_number, date_of_birth, f"cell {row_number}"],
    )


def make_command(rows: list[UploadedRow], **overrides: Any) -> ResolveRows:
    values: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": "A81001",
        "campaign_id": uuid.uuid4(),
        "list_id": uuid.uuid4(),
        "channel": "sms",
        "batch_number": 3,
        "rows": rows,
    }
    values.update(overrides)
    return ResolveRows(**values)
