"""What a failed handler's log line says: enough to act on, never patient data."""

import pydantic
import pytest
from faststream.exceptions import RejectMessage

from cohort_platform.errors import describe, scrub


class DuplicateKeyError(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class Row(pydantic.BaseModel):
    nhs_number: str
    given_name: str
    age: int


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("patient 9434765919 not found", "9434765919"),
        ("patient 943 476 5919 not found", "943 476 5919"),
        ("cannot send to +44 7700 900123", "7700 900123"),
        ("cannot send to 07700900123", "07700900123"),
        ("550 mailbox ann.example@nhs.net unavailable", "ann.example@nhs.net"),
        ("no template named 'Ann Example'", "Ann Example"),
        ('bad value "Smith"', "Smith"),
        ("date of birth 23/07/1961 does not match", "23/07/1961"),
        ("date of birth 3.7.1961 does not match", "3.7.1961"),
        ("born 1961-07-23", "1961-07-23"),
        ("expected datetime.date(1961, 7, 23)", "1961, 7, 23"),
    ],
)
def test_identifiers_and_quoted_values_are_masked(text: str, absent: str) -> None:
    assert absent not in scrub(text)


def test_short_numbers_and_plain_words_stay() -> None:
    text = "connection to 127.0.0.1:5672 refused after 3 attempts (10.0.0.12, python 3.11.2)"
    assert scrub(text) == text


def test_a_long_message_is_cut() -> None:
    assert len(scrub("x" * 5000)) <= 300


def test_a_wrapped_cause_is_described_with_its_code() -> None:
    cause = DuplicateKeyError(
        'E11000 duplicate key error dup key: { nhs_number: "9434765919" }', code=11000
    )
    try:
        try:
            raise cause
        except DuplicateKeyError as exc:
            raise RejectMessage(requeue=True) from exc
    except RejectMessage as wrapper:
        described = describe(wrapper)
    assert described["error"] == "DuplicateKeyError"
    assert described["error_message"].startswith("[code 11000] E11000 duplicate key error")
    assert "9434765919" not in described["error_message"]


def test_a_validation_error_names_fields_and_types_not_values() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Row.model_validate({"nhs_number": 9434765919, "given_name": "Ann", "age": "old"})
    described = describe(caught.value)
    assert described["error"] == "ValidationError"
    assert "nhs_number: string_type" in described["error_message"]
    assert "age: int_parsing" in described["error_message"]
    assert "9434765919" not in described["error_message"]
    assert "old" not in described["error_message"]
