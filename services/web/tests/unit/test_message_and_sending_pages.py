"""Compose, review and send, the live campaign page, a patient's page, templates, and the
gateway being down."""

from typing import Any

import pytest

from web.pages.words import pounds

from ..conftest import Web
from ..html import Page


def ready_campaign(web: Web, **fields: Any) -> dict[str, Any]:
    campaign = web.gateway.add_campaign(**fields)
    web.gateway.add_list(campaign)
    for name in ("Ann", "Bob", "Cat", "Dan"):
        web.gateway.add_recipient(campaign, given_name=name, status="ready")
    return campaign


async def test_add_template_puts_its_text_in_the_message_box_unsaved(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)
    url = f"/campaigns/{campaign['id']}/message"
    page = await signed_in.page(url)
    assert "Flu vaccination (built-in)" in [o.text() for o in page.all("option")]
    assert page.label_for("body") == "Message"
    assert "First name" in page.buttons()  # inserting placeholders (shown by compose.js)

    response = await signed_in.post(f"{url}/template", {"template": "builtin:flu"}, csrf_from=url)

    page = Page(response.text)
    textarea = page.all("textarea")[0]
    assert textarea.text().startswith("Hello ((first_name)), your flu vaccination is due")
    assert "Template “Flu vaccination” added" in page.main_text
    assert campaign["message"] is None


async def test_add_template_without_choosing_one_says_so(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)
    url = f"/campaigns/{campaign['id']}/message"

    response = await signed_in.post(f"{url}/template", {"template": ""}, csrf_from=url)

    assert Page(response.text).error_summary == [("Select a template to add", "#template")]


async def test_an_unknown_placeholder_is_shown_before_saving(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)

    response = await signed_in.post(
        f"/campaigns/{campaign['id']}/message", {"body": "Hi ((nhs_number))"}
    )

    assert response.status_code == 400
    page = Page(response.text)
    [(text, href)] = page.error_summary
    assert href == "#body"
    assert text.startswith("Remove ((nhs_number)) or change it to one of ((first_name))")
    assert campaign["message"] is None


async def test_what_the_campaign_service_refuses_is_shown_on_the_message(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)

    response = await signed_in.post(
        f"/campaigns/{campaign['id']}/message", {"body": "Book at ((link))"}
    )

    assert Page(response.text).error_summary == [("A basic campaign has no link.", "#body")]


async def test_saving_the_message_goes_on_to_review(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)

    response = await signed_in.post(
        f"/campaigns/{campaign['id']}/message", {"body": "Hello ((first_name)),\r\nsee you"}
    )

    assert response.headers["location"] == f"/campaigns/{campaign['id']}/review"
    # A text message's new line is one character, as the review counts it.
    assert signed_in.gateway.last("PUT", "/message") == {"body": "Hello ((first_name)),\nsee you"}


async def test_an_unchanged_template_is_saved_as_the_template(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in)
    template = signed_in.gateway.templates["builtin:flu"]

    await signed_in.post(
        f"/campaigns/{campaign['id']}/message",
        {"template": "builtin:flu", "body": template["body"]},
    )

    assert signed_in.gateway.last("PUT", "/message") == {"template_id": "builtin:flu"}


async def test_link_campaigns_say_the_link_is_added_for_you(signed_in: Web) -> None:
    booking = {"appointment_type_code": "FLU", "appointment_type_display": "flu vaccination"}
    campaign = ready_campaign(signed_in, type="booking", booking=booking)

    page = await signed_in.page(f"/campaigns/{campaign['id']}/message")

    assert "You do not need to add a link" in page.main_text
    assert "Book your flu vaccination appointment:" in page.main_text


async def test_an_appointment_type_is_shown_as_text_never_as_markup(signed_in: Web) -> None:
    booking = {"appointment_type_code": "FLU", "appointment_type_display": "<b>flu</b>"}
    campaign = ready_campaign(signed_in, type="booking", booking=booking)

    page = await signed_in.page(f"/campaigns/{campaign['id']}/message")

    assert "Book your <b>flu</b> appointment:" in page.main_text
    assert "<b>flu</b>" not in page.html


async def test_review_shows_three_real_previews_counts_and_credit(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi ((first_name))", "subject": None})

    page = await signed_in.page(f"/campaigns/{campaign['id']}/review")

    assert page.h1 == "Review and send"
    previews = [p.text() for p in page.all("p", "app-preview__body")]
    assert previews == ["Hi Ann", "Hi Bob", "Hi Cat"]
    assert "Patients 4" in page.main_text
    assert "Firetext balance 1,000 credits" in page.main_text
    assert "Send a test to me" in page.buttons()
    assert page.label_for("confirm_count") == "To send, type the number of patients: 4"
    assert "Send" in page.buttons()


async def test_review_calls_out_special_characters_and_short_credit(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi – there", "subject": None})
    signed_in.gateway.review_overrides = {
        "non_gsm_characters": [{"position": 3, "character": "–", "suggestion": "-"}],
        "credit_balance": 2,
        "credits_needed": 4,
    }

    page = await signed_in.page(f"/campaigns/{campaign['id']}/review")

    assert "“–”: use “-” instead" in page.main_text
    assert "You cannot send this campaign yet" in page.main_text
    assert "has 2 credits but this campaign needs 4" in page.main_text
    assert "Send" not in page.buttons()


async def test_review_says_what_the_credits_pay_for(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi", "subject": None})
    signed_in.gateway.review_overrides = {
        "credits_needed": 816,
        "total_fragments": 816,
        "largest_message_fragments": 2,
        "largest_message_characters": 215,
    }

    page = await signed_in.page(f"/campaigns/{campaign['id']}/review")

    assert (
        "Credits needed 816 816 text messages in all. The longest message is 215 characters, "
        "sent as 2 text messages."
    ) in page.main_text


async def test_review_estimates_the_cost_when_the_practice_has_a_price(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi", "subject": None})
    url = f"/campaigns/{campaign['id']}/review"
    assert "Estimated cost" not in (await signed_in.page(url)).main_text  # no price set

    signed_in.gateway.review_overrides = {"credits_needed": 4_500, "estimated_cost_pence": 13_050}
    page = await signed_in.page(url)

    assert "Estimated cost £130.50 at your practice's price per credit" in page.main_text


def test_pence_read_as_pounds() -> None:
    assert [pounds(p) for p in (0, 9, 130_50, 1_234_567)] == [
        "£0.00",
        "£0.09",
        "£130.50",
        "£12,345.67",
    ]


async def test_a_test_goes_to_the_users_own_number(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi", "subject": None})
    url = f"/campaigns/{campaign['id']}/review"
    assert (await signed_in.page(url)).all("input", "nhsuk-input")[0].attrs["value"] == (
        "07700 900101"
    )

    response = await signed_in.post(
        f"/campaigns/{campaign['id']}/test-send", {"to": "07700900101"}, csrf_from=url
    )

    assert response.headers["location"] == f"{url}?tested=1"
    assert signed_in.gateway.last("POST", "/test-send") == {"channel": "sms", "to": "07700900101"}
    assert "Test sent" in (await signed_in.page(f"{url}?tested=1")).main_text
    refused = await signed_in.post(
        f"/campaigns/{campaign['id']}/test-send", {"to": "08001111111"}, csrf_from=url
    )
    assert Page(refused.text).inline_error("to") == "Enter a UK mobile number, like 07700900123."


async def test_send_needs_the_number_of_patients_typed(signed_in: Web) -> None:
    campaign = ready_campaign(signed_in, message={"body": "Hi", "subject": None})
    url = f"/campaigns/{campaign['id']}"

    wrong = await signed_in.post(f"{url}/send", {"confirm_count": "3"}, csrf_from=f"{url}/review")
    blank = await signed_in.post(f"{url}/send", {"confirm_count": ""}, csrf_from=f"{url}/review")

    assert Page(wrong.text).error_summary == [
        ("Enter 4, the number of patients this campaign will message", "#confirm_count")
    ]
    assert Page(blank.text).inline_error("confirm_count") == (
        "Enter the number of patients to confirm"
    )
    assert campaign["status"] == "draft"
    sent = await signed_in.post(f"{url}/send", {"confirm_count": "4"}, csrf_from=f"{url}/review")
    assert sent.headers["location"] == f"{url}?sent=1"
    assert campaign["status"] == "sending"
    page = await signed_in.page(f"{url}?sent=1")
    assert "Sending has started" in page.main_text


async def test_the_campaign_page_shows_live_counts_cancel_and_patients(signed_in: Web) -> None:
    counts = {"recipients": 3, "queued": 1, "sent": 0, "delivered": 1, "failed": 1}
    campaign = signed_in.gateway.add_campaign(status="sending", counts=counts)
    signed_in.gateway.add_list(campaign)
    failed = signed_in.gateway.add_recipient(
        campaign, status="failed", reason="The number is not in use.", given_name="Zoe"
    )
    signed_in.gateway.add_recipient(campaign, status="delivered", given_name="Yan")

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    live = next(d for d in page.all("div") if d.attrs.get("id") == "live-progress")
    assert live.attrs["data-events-url"] == f"/campaigns/{campaign['id']}/events"
    counts_shown = {
        n.attrs["data-count"]: n.text() for n in page.all("strong") if "data-count" in n.attrs
    }
    assert counts_shown["delivered"] == "1"
    assert counts_shown["failed"] == "1"
    # A patient tagged "Sending" (being handed to the provider) is counted under Queued.
    assert "Queued 1 Waiting to go to the provider, or being sent to it now" in page.main_text
    assert "Cancel sending" in page.buttons()
    rows = page.table_rows()
    assert rows[1][:3] == ["Zoe Jones SMS", "Failed", "The number is not in use."]
    assert page.link("Zoe Jones") == f"/campaigns/{campaign['id']}/patients/{failed['id']}"
    assert page.link("Download all patients and their status (CSV)").endswith("recipients.csv")

    only_failed = await signed_in.page(f"/campaigns/{campaign['id']}?status=failed")
    assert [r[0] for r in only_failed.table_rows()[1:]] == ["Zoe Jones SMS"]


async def test_cancel_asks_first_then_cancels(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="sending", name="Flu")
    campaign["counts"] |= {"recipients": 10, "queued": 7, "sent": 3}
    url = f"/campaigns/{campaign['id']}/cancel"

    page = await signed_in.page(url)
    assert page.title == "Cancel sending Flu – Cohort – NHS"
    assert page.h1 == "Are you sure you want to cancel sending Flu?"
    assert "Yes, cancel sending" in page.buttons()
    assert page.link("No, keep sending") == f"/campaigns/{campaign['id']}"
    assert "Messages already handed to the provider cannot be stopped" in page.main_text
    assert campaign["status"] == "sending"
    response = await signed_in.post(url)

    assert response.headers["location"] == f"/campaigns/{campaign['id']}?cancelled=1"
    assert campaign["status"] == "cancelled"
    after = await signed_in.page(response.headers["location"])
    assert "Sending cancelled. Nothing that had not gone to the provider" in after.main_text


async def test_a_paused_campaign_is_cancelled_as_sending(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="paused", name="Flu")

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    assert "Cancel sending" in page.buttons()
    assert "Cancel this campaign" not in page.buttons()


@pytest.mark.parametrize("status", ["scheduled", "awaiting_approval"])
async def test_a_campaign_nothing_has_gone_for_yet_is_cancelled_as_a_campaign(
    signed_in: Web, status: str
) -> None:
    campaign = signed_in.gateway.add_campaign(status=status, name="Flu")
    url = f"/campaigns/{campaign['id']}"

    page = await signed_in.page(url)
    assert "Cancel this campaign" in page.buttons()
    assert "Cancel sending" not in page.buttons()
    assert page.link("Cancel this campaign") == f"{url}/cancel"

    cancel = await signed_in.page(f"{url}/cancel")
    assert cancel.title == "Cancel Flu – Cohort – NHS"
    assert cancel.h1 == "Are you sure you want to cancel Flu?"
    assert "No messages have been sent yet." in cancel.main_text
    assert "handed to the provider" not in cancel.main_text
    assert "Yes, cancel this campaign" in cancel.buttons()
    assert "Yes, cancel sending" not in cancel.buttons()
    assert cancel.link("No, keep it") == url
    response = await signed_in.post(f"{url}/cancel")

    assert response.headers["location"] == f"{url}?cancelled=1"
    assert campaign["status"] == "cancelled"
    after = await signed_in.page(response.headers["location"])
    assert "Campaign cancelled. No messages were sent." in after.main_text
    assert "Sending cancelled" not in after.main_text


async def test_a_paused_campaign_says_why_and_resumes(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(
        status="paused", paused_reason="Your Firetext account has run out of credit."
    )
    url = f"/campaigns/{campaign['id']}"

    page = await signed_in.page(url)
    assert "Sending is paused" in page.main_text
    assert "Your Firetext account has run out of credit." in page.main_text
    response = await signed_in.post(f"{url}/resume", csrf_from=url)

    assert response.headers["location"] == f"{url}?resumed=1"
    assert campaign["status"] == "sending"


async def test_a_patients_page_says_why_it_failed_with_history_and_reply(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="completed", name="Flu")
    signed_in.gateway.add_list(campaign, created_at="2026-12-06T08:00:00+00:00")
    recipient = signed_in.gateway.add_recipient(
        campaign,
        status="failed",
        reason_code="UNKNOWN_SUBSCRIBER",
        reason="The mobile number is not in use. Check it with the patient.",
        reply="Wrong number",
        replied_at="2026-12-06T10:00:00+00:00",
    )
    signed_in.gateway.audit[campaign["id"]].append(
        {"at": "2026-12-06T09:00:00", "actor": "tom.reid", "action": "sent", "details": {}}
    )

    page = await signed_in.page(f"/campaigns/{campaign['id']}/patients/{recipient['id']}")

    assert page.h1 == "Ann Jones"
    assert page.title == "Patient – Flu – Cohort – NHS"  # no patient data in the title
    assert "Why it failed" in page.main_text
    assert "The mobile number is not in use. Check it with the patient." in page.main_text
    assert "943 476 5919" in page.main_text
    assert "Wrong number" in page.main_text
    assert "Not saved: only delivered messages are saved" in page.main_text
    steps = [li.text() for li in page.all("li", "app-timeline__item")]
    assert steps[0].endswith("found in PDS")
    assert any(s.endswith("Campaign sent") for s in steps)
    assert any(s.endswith("Failed") for s in steps)


async def test_templates_create_edit_and_archive(signed_in: Web) -> None:
    page = await signed_in.page("/templates")
    assert "Flu vaccination (basic)" in page.main_text

    created = await signed_in.post(
        "/templates/new", {"name": "Reminder", "type": "basic", "body": "Hi ((first_name))"}
    )
    assert created.headers["location"] == "/templates?done=created"
    [template] = [t for t in signed_in.gateway.templates.values() if not t["builtin"]]
    edit = f"/templates/{template['id']}/edit"
    assert "Saving makes version 2" in (await signed_in.page(edit)).main_text
    await signed_in.post(edit, {"name": "Reminder", "body": "Hello ((first_name))"})
    assert (template["version"], template["body"]) == (2, "Hello ((first_name))")
    await signed_in.post(f"/templates/{template['id']}/archive")
    assert template["archived"] is True
    assert "Reminder" not in (await signed_in.page("/templates")).main_text


async def test_a_template_form_with_errors(signed_in: Web) -> None:
    response = await signed_in.post("/templates/new", {"name": "", "body": ""})

    assert [href for _t, href in Page(response.text).error_summary] == ["#name", "#type", "#body"]


async def test_a_gateway_outage_is_a_plain_try_again_page(signed_in: Web) -> None:
    signed_in.gateway.down = True

    response = await signed_in.client.get("/campaigns")

    assert response.status_code == 503
    page = Page(response.text)
    assert page.h1 == "Sorry, the service is unavailable"
    assert page.link("Try again") == "/campaigns"
    assert "Traceback" not in response.text


async def test_the_live_stream_is_passed_through_with_last_event_id(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(status="sending")

    response = await signed_in.client.get(
        f"/campaigns/{campaign['id']}/events", headers={"Last-Event-ID": "abc"}
    )

    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: progress" in response.text
    _m, _p, headers, _b = signed_in.gateway.requests[-1]
    assert headers["last-event-id"] == "abc"


async def test_a_delivered_patients_page_says_whether_it_reached_their_record(
    signed_in: Web,
) -> None:
    campaign = signed_in.gateway.add_campaign(status="completed")
    recipient = signed_in.gateway.add_recipient(
        campaign, record_status="saved", record_reason="Saved to GP record"
    )

    page = await signed_in.page(f"/campaigns/{campaign['id']}/patients/{recipient['id']}")

    assert "GP record Saved to GP record" in page.main_text

    # Delivered a moment ago, before the record service has taken it: not "once delivered".
    just_now = signed_in.gateway.add_recipient(campaign, status="delivered", given_name="Bo")
    page = await signed_in.page(f"/campaigns/{campaign['id']}/patients/{just_now['id']}")
    assert "GP record Waiting to be saved" in page.main_text


#: What a patient of a booking campaign did with their link: booked an appointment.
BOOKED = {
    "appointment": {
        "id": "a1",
        "status": "booked",
        "start": "2026-12-08T09:20:00+00:00",
        "end": "2026-12-08T09:35:00+00:00",
        "type": "flu vaccination",
        "location": "Example Surgery",
        "practitioner": "Nurse Grace Okafor",
        "booked_at": "2026-12-06T11:00:00+00:00",
    },
    "events": [{"at": "2026-12-06T11:00:00+00:00", "action": "booked"}],
}
#: What a patient of a questionnaire campaign did with their link: answered it.
ANSWERED = {
    "questionnaire_response": {
        "authored": "2026-12-06T12:00:00+00:00",
        "items": [{"link_id": "smoking", "text": "Do you smoke?", "answers": ["Yes, every day"]}],
    },
    "locked_at": None,
}


def patient_with_activity(web: Web, activity: dict[str, Any], **campaign: Any) -> str:
    """A delivered patient of a completed campaign and what they did with their link: the URL
    of their page."""
    added = web.gateway.add_campaign(status="completed", **campaign)
    web.gateway.add_list(added, created_at="2026-12-06T08:00:00+00:00")
    recipient = web.gateway.add_recipient(added, status="delivered")
    web.gateway.activity[recipient["id"]] = activity
    return f"/campaigns/{added['id']}/patients/{recipient['id']}"


BOOKING = {
    "name": "Flu",
    "type": "booking",
    "booking": {"appointment_type_code": "FLU", "appointment_type_display": "flu vaccination"},
}
QUESTIONNAIRE = {
    "name": "Smoking",
    "type": "questionnaire",
    "questionnaire": {"questionnaire_id": "smoking-status", "title": "a question about smoking"},
}


@pytest.mark.parametrize(
    ("campaign", "activity", "shown"),
    [
        (BOOKING, BOOKED, ["Appointment", "8 December 2026 at 9:20am", "Nurse Grace Okafor"]),
        (QUESTIONNAIRE, ANSWERED, ["Answers", "Do you smoke?", "Yes, every day"]),
    ],
    ids=["appointment", "answers"],
)
async def test_a_patients_page_shows_their_appointment_or_answers(
    signed_in: Web, campaign: dict[str, Any], activity: dict[str, Any], shown: list[str]
) -> None:
    page = await signed_in.page(patient_with_activity(signed_in, activity, **campaign))
    for text in shown:
        assert text in page.main_text


async def test_a_booked_appointment_is_on_the_patients_timeline(signed_in: Web) -> None:
    page = await signed_in.page(patient_with_activity(signed_in, BOOKED, **BOOKING))
    assert any(
        li.text().endswith("Booked an appointment") for li in page.all("li", "app-timeline__item")
    )


async def test_a_viewer_sees_the_review_but_is_not_offered_send(web: Web) -> None:
    web.gateway.roles = ["viewer"]
    await web.sign_in()
    campaign = ready_campaign(web, message={"body": "Hi ((first_name))", "subject": None})

    page = await web.page(f"/campaigns/{campaign['id']}/review")

    assert "Hi Ann" in page.main_text
    assert "Send" not in page.buttons()
    assert "sending needs the sender role" in page.main_text
