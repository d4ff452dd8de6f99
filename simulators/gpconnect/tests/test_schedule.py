"""The simulator's appointment book alone: slots laid out per practice, type and weekday with
stable ids, the two-week search limit, booking a slot once, past slots, adjacent slots only,
cancelling frees the slot, a stale version is refused."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from gpconnect_sim.schedule import (
    AppointmentBook,
    BookingDetails,
    Fault,
    Practice,
    SlotType,
    make_book,
)

FLU = SlotType("FLU", "Flu vaccination")
UK = ZoneInfo("Europe/London")
DETAILS = BookingDetails("Flu vaccination", None, {"resourceType": "Organization"})


def book_of() -> tuple[AppointmentBook, Practice]:
    book = make_book(["A81001"], [FLU], [time(9), time(9, 15)], 15, 42)
    return book, book.practice("A81001")


def next_week() -> tuple[datetime, datetime]:
    """Seven whole days from tomorrow's midnight in England: a window that starts at the time
    of day the test runs cuts a slot off one end, so the count would depend on the clock."""
    tomorrow = datetime.now(UK).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=UK)
    return start, start + timedelta(days=7)


def test_slots_by_weekday_with_stable_ids() -> None:
    book, practice = book_of()
    start, end = next_week()
    slots = practice.free_slots(start, end)
    assert len(slots) == 10  # five weekdays, two times each
    assert all(s.start.weekday() < 5 for s in slots)
    again = make_book(["A81001"], [FLU], [time(9), time(9, 15)], 15, 42).practice("A81001")
    assert [s.id for s in again.free_slots(start, end)] == [s.id for s in slots]
    with pytest.raises(Fault) as wide:
        practice.free_slots(start, start + timedelta(days=15))
    assert wide.value.code == "INVALID_PARAMETER"
    with pytest.raises(Fault) as unknown:
        book.practice("Z99999")
    assert unknown.value.code == "ORGANISATION_NOT_FOUND"


def test_a_slot_is_booked_once_and_freed_by_cancelling() -> None:
    book, practice = book_of()
    start, end = next_week()
    first, second = practice.free_slots(start, end)[:2]
    now = datetime.now(UTC)
    made = book.book(practice, [first.id, second.id], first.start, second.end, "p1", DETAILS, now)
    assert (made.start, made.end) == (first.start, second.end)
    with pytest.raises(Fault) as taken:
        book.book(practice, [first.id], first.start, first.end, "p2", DETAILS, now)
    assert (taken.value.status, taken.value.code) == (409, "DUPLICATE_REJECTED")
    with pytest.raises(Fault) as stale:
        book.cancel(made, 0, "no")
    assert stale.value.status == 409
    book.cancel(made, made.version, "Cancelled by the patient")
    assert first.id in {s.id for s in practice.free_slots(start, end)}


def test_past_and_non_adjacent_slots_are_refused() -> None:
    book, practice = book_of()
    start, end = next_week()
    slots = practice.free_slots(start, end)
    later = datetime.now(UTC) + timedelta(days=30)
    with pytest.raises(Fault) as past:
        book.book(practice, [slots[0].id], slots[0].start, slots[0].end, "p", DETAILS, later)
    assert past.value.code == "INVALID_RESOURCE"
    apart = [slots[0], slots[2]]  # 9am one day, 9am the next
    with pytest.raises(Fault) as gap:
        book.book(
            practice,
            [s.id for s in apart],
            apart[0].start,
            apart[1].end,
            "p",
            DETAILS,
            datetime.now(UTC),
        )
    assert gap.value.code == "INVALID_RESOURCE"
