"""Send safety in the web app: scheduling on the send form, the approver's page, the repeat
warning on the review, quiet hours and scheduled sends on the campaign page."""

from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from ..conftest import Web
from ..html import Page
from .test_message_and_sending_pages import ready_campaign

DAY, MONTH, YEAR, TIME = "send_day", "send_month", "send_year", "send_time"
BOXES = {DAY: "Day", MONTH: "Month", YEAR: "Year"}
DATE = {DAY, MONTH, YEAR}
NO_DAY = "Date to send must include a day"
NO_MONTH_YEAR = "Date to send must include a month and year"
NOT_REAL = "Date to send must be a real date"
NO_DATE = "Enter the date to send"
NO_TIME = "Enter a time to send"
BAD_TIME = "Enter a time like 9:30am or 14:00"

#: A date and time the send form cannot use, by what is wrong: what was typed (day, month, year,
#: time), the errors it gets (the box each one's summary link goes to, and its message) and the
#: boxes marked in error.
UNUSABLE: dict[str, tuple[tuple[str, str, str, str], dict[str, str], set[str]]] = {
    "no day": (("", "12", "2026", "9am"), {DAY: NO_DAY}, {DAY}),
    "no month and year": (("9", "", "", "9am"), {MONTH: NO_MONTH_YEAR}, {MONTH, YEAR}),
    "31 February": (("31", "2", "2027", "9am"), {DAY: NOT_REAL}, {DAY}),
    "month 13": (("9", "13", "2026", "9am"), {MONTH: NOT_REAL}, {MONTH}),
    "two-digit year": (("9", "12", "26", "9am"), {YEAR: NOT_REAL}, {YEAR}),
    "date but no time": (("9", "12", "2026", ""), {TIME: NO_TIME}, {TIME}),
    "time but no date": (("", "", "", "9am"), {DAY: NO_DATE}, DATE),
    "time not understood": (("9", "12", "2026", "half nine"), {TIME: BAD_TIME}, {TIME}),
    "bad date and no time": (("31", "4", "2027", ""), {DAY: NOT_REAL, TIME: NO_TIME}, {DAY, TIME}),
    "no date and bad time": (("", "", "", "25:00"), {DAY: NO_DATE, TIME: BAD_TIME}, {*DATE, TIME}),
}


def when(day: str, month: str, year: str, at: str) -> dict[str, str]:
    """The send form's date boxes and time, as posted."""
    return {DAY: day, MONTH: month, YEAR: year, TIME: at}


def messaged(web: Web, **fields: Any) -> tuple[dict[str, Any], str]:
    """A campaign of 4 patients with its message written, ready to review and send; and its
    page's URL."""
    campaign = ready_campaign(web, message={"body": "Hello ((first_name))"}, **fields)
    return campaign, f"/campaigns/{campaign['id']}"


async def send(web: Web, url: str, fields: dict[str, str] | None = None) -> httpx2.Response:
    """The review page's Send with the 4 patients confirmed, and any other ``fields``."""
    form = {"confirm_count": "4", **(fields or {})}
    return await web.post(f"{url}/send", form, csrf_from=f"{url}/review")


async def refused_send(web: Web, typed: tuple[str, str, str, str]) -> tuple[dict[str, Any], Page]:
    """A campaign's Send with ``typed`` as the date boxes and time, turned back (400): the
    campaign, and the page that says why."""
    campaign, url = messaged(web)
    response = await send(web, url, when(*typed))
    assert response.status_code == 400
    return campaign, Page(response.text)


WARNING: dict[str, Any] = {
    "count": 2,
    "days": 30,
    "message": "2 patients were sent this message by your practice in the last 30 days. "
    "You can leave them out.",
}


async def test_a_send_can_be_scheduled_in_uk_time(signed_in: Web) -> None:
    signed_in.gateway.clock = datetime(2026, 6, 30, 12, tzinfo=UTC)
    _campaign, url = messaged(signed_in)
    page = await signed_in.page(f"{url}/review")
    assert page.legend("send_day") == "When to send (optional)"
    for box, label in BOXES.items():
        assert page.label_for(box) == label
        assert page.field(box).attrs["inputmode"] == "numeric"
    assert page.label_for("send_time") == "Time"
    assert page.field("send_time").has_class("nhsuk-input--width-5")
    assert "For example, 9:30am or 14:00" in page.main_text
    assert "Leave empty to send now" in page.main_text
    assert "datetime-local" not in page.html
    assert "spread_hours" not in page.html  # booking campaigns only

    response = await send(signed_in, url, when("1", "7", "2026", "9:30am"))

    assert response.headers["location"] == f"{url}?sent=scheduled"
    # 9:30am in London in July is 08:30 UTC (summer time).
    assert signed_in.gateway.last("POST", "/send") == {
        "confirm_recipient_count": 4,
        "send_at": "2026-07-01T08:30:00+00:00",
    }
    page = await signed_in.page(f"{url}?sent=scheduled")
    assert "Scheduled to send at" in page.main_text
    assert "<strong>" not in page.main_text  # markup, not text shown to staff
    assert "Cancel this campaign" in page.buttons()
    assert "Cancel sending" not in page.buttons()  # nothing is sending yet
    overview = await signed_in.page("/campaigns")
    assert "Scheduled" in overview.main_text
    assert "Sends 1 July 2026" in overview.main_text


async def test_a_time_in_winter_is_sent_as_typed_in_utc(signed_in: Web) -> None:
    signed_in.gateway.clock = datetime(2026, 12, 7, 12, tzinfo=UTC)
    _campaign, url = messaged(signed_in)

    await send(signed_in, url, when("09", "12", "2026", "2pm"))

    assert signed_in.gateway.last("POST", "/send")["send_at"] == "2026-12-09T14:00:00+00:00"


async def test_with_no_date_and_no_time_it_sends_now(signed_in: Web) -> None:
    _campaign, url = messaged(signed_in)

    response = await send(signed_in, url, when(" ", "", "", " "))

    assert response.headers["location"] == f"{url}?sent=1"
    assert signed_in.gateway.last("POST", "/send") == {"confirm_recipient_count": 4}


@pytest.mark.parametrize(("typed", "errors", "marked"), list(UNUSABLE.values()), ids=list(UNUSABLE))
async def test_a_date_or_time_that_cannot_be_used_is_said_on_the_field_and_kept(
    signed_in: Web, typed: tuple[str, str, str, str], errors: dict[str, str], marked: set[str]
) -> None:
    campaign, page = await refused_send(signed_in, typed)

    assert page.error_summary == [(message, f"#{box}") for box, message in errors.items()]
    # Each is said beside its field too: the date's on the date as a whole.
    on_date = next((message for box, message in errors.items() if box in DATE), "")
    assert page.inline_error("send_date") == on_date
    assert page.inline_error("send_time") == errors.get(TIME, "")
    assert page.marked_in_error() == marked
    assert page.legend("send_day") == "When to send (optional)"
    assert [page.field(f).attrs.get("value") for f in (*BOXES, TIME)] == list(typed)
    assert page.field("confirm_count").attrs.get("value") == "4"
    assert not any(path.endswith("/send") for _, path, _, _ in signed_in.gateway.requests)
    assert campaign["status"] == "draft"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("7", "12", "2026", "11am"), "Choose a time in the future to send."),
        (("15", "12", "2026", "9:30am"), "A send can be scheduled up to 7 days ahead."),
    ],
    ids=["in the past", "over 7 days ahead"],
)
async def test_a_time_the_campaign_service_refuses_is_said_on_the_date(
    signed_in: Web, typed: tuple[str, str, str, str], message: str
) -> None:
    signed_in.gateway.clock = datetime(2026, 12, 7, 12, tzinfo=UTC)
    campaign, page = await refused_send(signed_in, typed)

    assert page.error_summary == [(message, "#send_day")]
    assert page.inline_error("send_date") == message
    assert page.marked_in_error() == DATE
    assert [page.field(f).attrs.get("value") for f in (*BOXES, TIME)] == list(typed)
    assert campaign["status"] == "draft"


async def test_a_booking_campaign_can_spread_its_invitations(signed_in: Web) -> None:
    booking = {"appointment_type_code": "FLU", "appointment_type_display": "Flu clinic"}
    _campaign, url = messaged(signed_in, type="booking", booking=booking)
    page = await signed_in.page(f"{url}/review")
    assert page.label_for("spread_hours").startswith("Spread the invitations over")

    bad = await send(signed_in, url, {"spread_hours": "0"})
    expected = [("Enter a number of hours from 1 to 72", "#spread_hours")]
    assert Page(bad.text).error_summary == expected

    await send(signed_in, url, {"spread_hours": "3"})
    assert signed_in.gateway.last("POST", "/send") == {
        "confirm_recipient_count": 4,
        "spread_hours": 3,
    }


async def test_a_large_send_goes_for_approval_and_another_user_approves(signed_in: Web) -> None:
    signed_in.gateway.approval_above = 2
    campaign, url = messaged(signed_in)
    sent = await send(signed_in, url)
    assert sent.headers["location"] == f"{url}?sent=approval"

    page = await signed_in.page(url)
    assert "Waiting for approval" in page.main_text
    assert "Review and approve" not in page.buttons()  # not for the one who sent it
    own = await signed_in.page(f"{url}/approve")
    assert "someone else must approve it" in own.main_text
    assert "Approve and send" not in own.buttons()

    campaign["send_requested_by"] = "tom.reid"  # as if a colleague had sent it
    page = await signed_in.page(url)
    assert "Review and approve" in page.buttons()
    signed_in.gateway.review_overrides["estimated_cost_pence"] = 1_16
    approval = await signed_in.page(f"{url}/approve")
    assert approval.h1 == "Approve sending"
    assert "Hello Ann" in approval.main_text  # the approver sees the review
    assert "Credits needed 4 (about £1.16)" in approval.main_text
    wrong = await signed_in.post(
        f"{url}/approve", {"confirm_count": "3"}, csrf_from=f"{url}/approve"
    )
    assert wrong.status_code == 400
    done = await signed_in.post(
        f"{url}/approve", {"confirm_count": "4"}, csrf_from=f"{url}/approve"
    )
    assert done.headers["location"] == f"{url}?sent=approved"
    assert signed_in.gateway.last("POST", "/approve") == {"confirm_recipient_count": 4}
    assert campaign["status"] == "sending"


async def test_the_approver_sends_it_back_with_a_reason_the_sender_reads(signed_in: Web) -> None:
    signed_in.gateway.approval_above = 2
    signed_in.gateway.review_overrides["repeat_warning"] = WARNING
    campaign, url = messaged(signed_in)
    await send(signed_in, url)
    campaign["send_requested_by"] = "tom.reid"  # as if a colleague had sent it

    approval = await signed_in.page(f"{url}/approve")
    # The approver is warned as the sender was, in words for the approver.
    assert "2 patients were sent this message by your practice in the last 30 days" in (
        approval.main_text
    )
    assert "You can leave them out" not in approval.main_text
    assert approval.link("Send it back") == f"{url}/send-back"

    form = await signed_in.page(f"{url}/send-back")
    assert form.h1 == "Send it back"
    assert form.label_for("reason") == "Why are you sending it back?"
    for empty in ("", "   "):
        refused = await signed_in.post(
            f"{url}/send-back", {"reason": empty}, csrf_from=f"{url}/send-back"
        )
        assert refused.status_code == 400
        assert Page(refused.text).error_summary == [
            ("Enter why you are sending it back", "#reason")
        ]
    assert not any(path.endswith("/send-back") for _, path, _, _ in signed_in.gateway.requests)

    reason = "<b>Wrong</b> clinic day."
    done = await signed_in.post(
        f"{url}/send-back", {"reason": f"  {reason} "}, csrf_from=f"{url}/send-back"
    )
    assert done.headers["location"] == f"{url}?sent_back=1"
    assert signed_in.gateway.last("POST", "/send-back") == {"reason": reason}
    page = await signed_in.page(url)
    assert "Sent back" in page.main_text
    assert reason in page.main_text  # staff's words shown as text, not markup
    assert "It will need approving again" in page.main_text
    overview = await signed_in.page("/campaigns")
    assert "Sent back: see why" in overview.main_text

    # Sent back (or approved) by someone else meanwhile: said on the field, nothing lost.
    late = await signed_in.post(f"{url}/send-back", {"reason": "Also no."}, csrf_from=url)
    assert late.status_code == 400
    assert Page(late.text).error_summary == [
        ("Only one awaiting approval can be sent back.", "#reason")
    ]
    # Once it is a draft again, the page goes back to the campaign.
    again = await signed_in.client.get(f"{url}/send-back")
    assert (again.status_code, again.headers["location"]) == (303, url)


async def test_the_sender_may_take_it_back(signed_in: Web) -> None:
    signed_in.gateway.approval_above = 2
    _campaign, url = messaged(signed_in)
    await send(signed_in, url)
    page = await signed_in.page(url)
    assert page.link("take it back to change it") == f"{url}/send-back"
    form = await signed_in.page(f"{url}/send-back")
    assert form.h1 == "Take it back"


async def test_the_review_warns_of_a_repeat_and_leaves_them_out(signed_in: Web) -> None:
    signed_in.gateway.review_overrides["repeat_warning"] = WARNING
    _campaign, url = messaged(signed_in)
    page = await signed_in.page(f"{url}/review")
    assert "Some patients had this message recently" in page.main_text
    assert WARNING["message"] in page.main_text

    response = await signed_in.post(f"{url}/review/leave-out", {}, csrf_from=f"{url}/review")

    assert response.headers["location"] == f"{url}/review?left_out=1"
    assert signed_in.gateway.last("POST", "/exclude-recently-messaged") is None
    page = await signed_in.page(f"{url}/review?left_out=1")
    assert "have been left out" in page.main_text
    assert "Some patients had this message recently" not in page.main_text


async def test_the_campaign_page_says_texts_wait_for_quiet_hours(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="sending", held_until="2026-01-15T08:00:00Z")
    page = await signed_in.page(f"/campaigns/{campaign['id']}")
    assert "Text messages are not sent at night" in page.main_text
    assert "15 January 2026" in page.main_text
    assert "<strong>" not in page.main_text  # markup, not text shown to staff
