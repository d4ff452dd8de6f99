"""Upload batches serialised in bulk are exactly what the contract model would publish."""

from dataclasses import asdict, fields, replace
from uuid import uuid4

import pytest

from cohort_contracts.ingest import ResolveRows, UploadedRow
from gateway.domain.uploads import DataRow
from gateway.handlers.row_batches import BatchHeader, encode_batch

HEADER = BatchHeader(
    correlation_id=uuid4(), org_id="A81001", campaign_id=uuid4(), list_id=uuid4(), channel="sms"
)

ROWS = [
    DataRow(1, ["943 476 5919", "01/02/1980", "Ann"], "943 476 5919", "01/02/1980"),
    # What CSV cells can hold: quotes, backslashes, newlines, non-ASCII, control characters.
    DataRow(2, ["9434765870", "1980-02-01", 'Ó "Briain"\\\n\t\u2013'], "9434765870", "1980-02-01"),
    DataRow(7, ["", "", ""], "", ""),
]


def model_of(body: bytes, rows: list[DataRow]) -> ResolveRows:
    """The message the contract model gives for the same batch: the body's own envelope (which
    ``test_the_envelope_is_the_header`` checks) with the rows built as ``UploadedRow`` models."""
    decoded = ResolveRows.model_validate_json(body)
    return decoded.model_copy(
        update={
            "rows": [
                UploadedRow(
                    row_number=row.row_number,
                    nhs_number=row.nhs_number,
                    date_of_birth=row.date_of_birth,
                    cells=row.cells,
                )
                for row in rows
            ]
        }
    )


def test_the_envelope_is_the_header() -> None:
    decoded = ResolveRows.model_validate_json(encode_batch(HEADER, 3, ROWS).body)

    header_fields = {field.name for field in fields(BatchHeader)}
    assert decoded.model_dump(include=header_fields) == asdict(HEADER)
    assert decoded.batch_number == 3


def test_the_body_is_byte_for_byte_the_models_json() -> None:
    encoded = encode_batch(HEADER, 3, ROWS)

    assert encoded.body == model_of(encoded.body, ROWS).model_dump_json().encode()


def test_the_body_decodes_to_the_batch_with_its_ids() -> None:
    encoded = encode_batch(HEADER, 3, ROWS)
    decoded = ResolveRows.model_validate_json(encoded.body)

    assert decoded == model_of(encoded.body, ROWS)
    assert decoded.message_id == encoded.message_id
    assert decoded.correlation_id == encoded.correlation_id == HEADER.correlation_id
    assert [row.cells for row in decoded.rows] == [row.cells for row in ROWS]


def test_every_batch_is_a_new_message() -> None:
    first, second = encode_batch(HEADER, 0, ROWS), encode_batch(HEADER, 0, ROWS)

    assert first.message_id != second.message_id


def test_an_invalid_envelope_is_refused_before_anything_is_encoded() -> None:
    with pytest.raises(ValueError, match="org_id"):
        encode_batch(replace(HEADER, org_id="not an ODS code"), 0, ROWS)
