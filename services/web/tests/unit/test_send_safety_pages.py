"""Send safety in the web app: scheduling on the send form, the approver's page, the repeat
warning on the review, quiet hours and scheduled sends on the campaign page."""

from ..conftest import Web
from ..html import Page
from .test_message_and_sending_pages import ready_campaign

WARNING = {
    "count": 2,
    "days": 30,
    "message": "2 patients were sent this message by your practice in the last 30 days. "
    "You can leave them out.",
}


async def test_a_send_can_be_scheduled_in_uk_time(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hello ((first_name))"})
    url = f"/campaigns/{campaign['id']}"
    page = await signed_in.page(f"{url}/review")
    assert page.label_for("send_at") == "When to send (optional)"
    assert "spread_hours" not in page.html  # booking campaigns only

    response = await signed_in.post(
        f"{url}/send",
        {"confirm_count": "4", "send_at": "2026-07-01T09:30"},
        csrf_from=f"{url}/review",
    )

    assert response.headers["location"] == f"{url}?sent=scheduled"
    # 09:30 in London in July is 08:30 UTC (summer time).
    assert signed_in.gateway.last("POST", "/send") == {
        "confirm_recipient_count": 4,
        "send_at": "2026-07-01T08:30:00+00:00",
    }
    page = await signed_in.page(f"{url}?sent=scheduled")
    assert "Scheduled to send at" in page.main_text
    assert "<strong>" not in page.main_text  # markup, not text shown to staff
    assert "Cancel sending" in page.buttons()
    overview = await signed_in.page("/campaigns")
    assert "Scheduled" in overview.main_text
    assert "Sends 1 July 2026" in overview.main_text


async def test_a_booking_campaign_can_spread_its_invitations(signed_in: Web) -> None:
    booking = {"appointment_type_code": "FLU", "appointment_type_display": "Flu clinic"}
    campaign = ready_campaign(
        signed_in, type="booking", booking=booking, message={"body": "Hello ((first_name))"}
    )
    url = f"/campaigns/{campaign['id']}"
    page = await signed_in.page(f"{url}/review")
    assert page.label_for("spread_hours").startswith("Spread the invitations over")

    bad = await signed_in.post(
        f"{url}/send", {"confirm_count": "4", "spread_hours": "0"}, csrf_from=f"{url}/review"
    )
    expected = [("Enter a number of hours from 1 to 72", "#spread_hours")]
    assert Page(bad.text).error_summary == expected

    await signed_in.post(
        f"{url}/send", {"confirm_count": "4", "spread_hours": "3"}, csrf_from=f"{url}/review"
    )
    assert signed_in.gateway.last("POST", "/send") == {
        "confirm_recipient_count": 4,
        "spread_hours": 3,
    }


async def test_a_large_send_goes_for_approval_and_another_user_approves(signed_in: Web) -> None:
    signed_in.gateway.approval_above = 2
    campaign = ready_campaign(signed_in, message={"body": "Hello ((first_name))"})
    url = f"/campaigns/{campaign['id']}"
    sent = await signed_in.post(f"{url}/send", {"confirm_count": "4"}, csrf_from=f"{url}/review")
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
    campaign = ready_campaign(signed_in, message={"body": "Hello ((first_name))"})
    url = f"/campaigns/{campaign['id']}"
    await signed_in.post(f"{url}/send", {"confirm_count": "4"}, csrf_from=f"{url}/review")
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
    campaign = ready_campaign(signed_in, message={"body": "Hello ((first_name))"})
    url = f"/campaigns/{campaign['id']}"
    await signed_in.post(f"{url}/send", {"confirm_count": "4"}, csrf_from=f"{url}/review")
    page = await signed_in.page(url)
    assert page.link("take it back to change it") == f"{url}/send-back"
    form = await signed_in.page(f"{url}/send-back")
    assert form.h1 == "Take it back"


async def test_the_review_warns_of_a_repeat_and_leaves_them_out(signed_in: Web) -> None:
    signed_in.gateway.review_overrides["repeat_warning"] = WARNING
    campaign = ready_campaign(signed_in, message={"body": "Hello ((first_name))"})
    url = f"/campaigns/{campaign['id']}"
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
