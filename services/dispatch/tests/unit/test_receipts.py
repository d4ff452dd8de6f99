"""Firetext receipt interpretation: pure domain code."""

from datetime import UTC, datetime

import pytest

from cohort_contracts.vocabulary import SendReason
from dispatch.domain.receipts import (
    DECLINED,
    UnknownReceiptStatus,
    interpret_receipt,
    parse_firetext_time,
)

RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_status_0_is_delivered() -> None:
    receipt = interpret_receipt("0", None, None, received_at=RECEIVED)
    assert (receipt.status, receipt.failure) == ("delivered", None)


def test_status_2_is_pending() -> None:
    receipt = interpret_receipt("2", "000", None, received_at=RECEIVED)
    assert (receipt.status, receipt.failure) == ("pending", None)


@pytest.mark.parametrize(
    ("code", "reason_code", "permanent"),
    [
        ("101", SendReason.UNKNOWN_SUBSCRIBER, True),
        ("201", SendReason.INVALID_NUMBER, True),
        ("301", SendReason.SMS_NOT_SUPPORTED, True),
        ("401", SendReason.MESSAGE_REJECTED, True),
        ("102", SendReason.PHONE_NOT_REACHABLE, False),
        ("103", SendReason.PHONE_NOT_REACHABLE, False),
        ("104", SendReason.PHONE_NOT_REACHABLE, False),
        ("302", SendReason.SMS_NOT_SUPPORTED, False),
        ("900", SendReason.NETWORK_ERROR, False),
        ("000", SendReason.DECLINED, False),
        ("555", SendReason.DECLINED, False),
        (None, SendReason.DECLINED, False),
        (" 101 ", SendReason.UNKNOWN_SUBSCRIBER, True),
    ],
)
def test_status_1_fails_with_the_network_code(
    code: str | None, reason_code: SendReason, permanent: bool
) -> None:
    receipt = interpret_receipt("1", code, None, received_at=RECEIVED)
    assert receipt.status == "failed"
    assert receipt.failure is not None
    assert receipt.failure.reason_code == reason_code
    assert receipt.failure.permanent is permanent
    assert receipt.failure.reason.endswith(".")


def test_permanent_and_temporary_reasons_say_what_to_do() -> None:
    unknown = interpret_receipt("1", "101", None, received_at=RECEIVED).failure
    absent = interpret_receipt("1", "102", None, received_at=RECEIVED).failure
    assert unknown is not None
    assert "Check the patient's mobile number" in unknown.reason
    assert absent is not None
    assert "again later" in absent.reason
    assert "gave no reason" in DECLINED.reason


@pytest.mark.parametrize("status", ["3", "", "delivered", "-1"])
def test_any_other_status_cannot_be_interpreted(status: str) -> None:
    with pytest.raises(UnknownReceiptStatus):
        interpret_receipt(status, None, None, received_at=RECEIVED)


def test_time_is_uk_local_time_in_summer() -> None:
    # BST (UTC+1): Notify's test payload time.
    assert parse_firetext_time("2016-07-10 15:17:00") == datetime(2016, 7, 10, 14, 17, tzinfo=UTC)


def test_time_is_uk_local_time_in_winter() -> None:
    assert parse_firetext_time("2026-01-05 08:30:05") == datetime(2026, 1, 5, 8, 30, 5, tzinfo=UTC)


def test_a_time_with_an_explicit_offset_keeps_it() -> None:
    assert parse_firetext_time("2026-07-01T10:00:00+02:00") == datetime(2026, 7, 1, 8, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-13-01 00:00:00", "2026-07-01"])
def test_missing_or_unreadable_time_falls_back_to_when_the_receipt_arrived(
    value: str | None,
) -> None:
    receipt = interpret_receipt("0", None, value, received_at=RECEIVED)
    assert receipt.reported_at == RECEIVED


def test_reported_at_is_always_utc() -> None:
    receipt = interpret_receipt("0", None, "2016-07-10 15:17:00", received_at=RECEIVED)
    assert receipt.reported_at.utcoffset() is not None
    assert receipt.reported_at.tzinfo == UTC
