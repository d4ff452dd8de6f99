"""Forms validated without a browser, and what the pages work out (time left, steps, a
patient's history)."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from starlette.datastructures import FormData as MultiDict

from web.api_views import AuditEntry, Campaign, PatientList, Recipient
from web.forms import ComposeForm, NewCampaignForm, SendForm, unknown_placeholders
from web.pages.campaigns import steps
from web.pages.lists import duration, progress
from web.pages.patients import history

from ..fake_gateway import make_recipient

SECRET = b"form-test-secret"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def form(kind: type[Any], data: dict[str, str], **kw: Any) -> Any:
    session: dict[str, Any] = {}
    token = kind(secret=SECRET, session=session, **kw).csrf_token.current_token
    return kind(MultiDict({"csrf_token": token, **data}), secret=SECRET, session=session, **kw)


def test_a_form_without_the_sessions_token_fails_its_csrf_check() -> None:
    other = form(NewCampaignForm, {"name": "Flu", "type": "basic"})
    forged = NewCampaignForm(
        MultiDict({"csrf_token": other.csrf_token.current_token, "name": "Flu", "type": "basic"}),
        secret=SECRET,
        session={},
    )
    assert not forged.validate()
    assert forged.csrf_failed


def test_a_basic_campaign_form_gives_the_api_its_body() -> None:
    f = form(NewCampaignForm, {"name": "  Shingles Info ", "type": "basic", "allow_replies": "y"})
    assert f.validate(), f.errors
    assert f.api_body() == {"name": "Shingles Info", "type": "basic", "allow_replies": True}


def test_a_questionnaire_needs_a_known_questionnaire() -> None:
    f = form(NewCampaignForm, {"name": "Asthma", "type": "questionnaire", "questionnaire": "x"})
    assert not f.validate()
    assert f.field_errors() == [
        ("questionnaire", "Select the questionnaire patients will complete")
    ]
    ok = form(
        NewCampaignForm,
        {"name": "Asthma", "type": "questionnaire", "questionnaire": "asthma-control"},
    )
    assert ok.validate()
    assert ok.api_body()["questionnaire"]["questionnaire_id"] == "asthma-control"


def test_a_name_over_200_characters_is_refused() -> None:
    f = form(NewCampaignForm, {"name": "x" * 201, "type": "basic"})
    assert not f.validate()
    assert f.field_errors() == [("name", "Campaign name must be 200 characters or fewer")]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Hi ((first_name)) ((Last Name)) ((practice-name))", []),
        ("Hi ((firstname))", []),
        ("Hi ((nhs_number)) and ((dob))", ["dob", "nhs_number"]),
    ],
)
def test_placeholders_match_as_the_campaign_service_matches_them(
    text: str, unknown: list[str]
) -> None:
    assert unknown_placeholders(text) == unknown


def test_the_message_form_names_the_placeholder_to_fix() -> None:
    f = form(ComposeForm, {"body": "Dear ((title)) ((last_name))"})
    assert not f.validate()
    [(field, message)] = f.field_errors()
    assert field == "body"
    assert message.startswith("Remove ((title)) or change it to one of ((first_name))")


def test_the_send_form_wants_exactly_the_reviewed_count() -> None:
    assert form(SendForm, {"confirm_count": "1200"}, expected=1200).validate()
    wrong = form(SendForm, {"confirm_count": "120"}, expected=1200)
    assert not wrong.validate()
    assert wrong.field_errors() == [
        ("confirm_count", "Enter 1,200, the number of patients this campaign will message")
    ]
    words = form(SendForm, {"confirm_count": "all"}, expected=1200)
    assert not words.validate()


def make_list(**fields: Any) -> PatientList:
    values: dict[str, Any] = {
        "id": uuid4(),
        "campaign_id": uuid4(),
        "channel": "sms",
        "filename": "list.csv",
        "status": "resolving",
        "total_rows": 1000,
        "processed_rows": 100,
        "succeeded": 90,
        "failed": 10,
        "failed_by_reason": [],
        "created_at": NOW - timedelta(seconds=10),
    }
    return PatientList.model_validate(values | fields)


def test_time_left_comes_from_the_rate_measured_so_far() -> None:
    # 100 rows in 10 s: 900 more take 90 s.
    shown = progress(make_list(), NOW)
    assert (shown.done, shown.percent, shown.time_left) == (False, 10, "About 2 minutes left")
    assert progress(make_list(processed_rows=0), NOW).time_left == (
        "Working out how long this will take"
    )
    assert progress(make_list(processed_rows=980), NOW).time_left == "A few seconds left"
    assert progress(make_list(processed_rows=400), NOW).time_left == "Less than a minute left"
    done = progress(make_list(status="complete", processed_rows=1000), NOW)
    assert (done.done, done.percent, done.time_left) == (True, 100, None)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (60, "1 minute"),
        (150, "2 minutes"),
        (3600, "1 hour"),
        (3900, "1 hour 5 minutes"),
    ],
)
def test_durations_read_naturally(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def make_campaign(**fields: Any) -> Campaign:
    values: dict[str, Any] = {
        "id": uuid4(),
        "org_id": "A81001",
        "name": "Flu",
        "type": "basic",
        "status": "draft",
        "created_by": "priya.shah",
        "created_at": NOW,
    }
    return Campaign.model_validate(values | fields)


def test_the_steps_of_a_draft() -> None:
    fresh = steps(make_campaign(), [])
    assert [(s.title, s.status) for s in fresh] == [
        ("Upload a patient list", "Not yet started"),
        ("Write the message", "Not yet started"),
        ("Review and send", "Cannot start yet"),
    ]
    ready = steps(
        make_campaign(message={"body": "Hi"}),
        [make_list(status="complete", processed_rows=1000, succeeded=990)],
    )
    assert [s.status for s in ready] == ["Completed", "Completed", "Not yet started"]
    assert ready[0].hint == "990 patients found"
    assert ready[2].href is not None


def test_a_patients_history_in_order() -> None:
    patient_list = make_list(created_at=NOW)
    recipient = Recipient.model_validate(
        make_recipient(
            id="ab",
            list_id=patient_list.id,
            row_number=7,
            updated_at=NOW + timedelta(minutes=2),
            replied_at=NOW + timedelta(minutes=5),
            reply="Thanks",
        )
    )
    sent = AuditEntry(at=NOW + timedelta(minutes=1), actor="u", action="sent")

    entries = history(recipient, patient_list, [sent])

    assert [e.what for e in entries] == [
        "Uploaded in list.csv (row 7) and found in PDS",
        "Campaign sent",
        "Delivered",
        "Replied",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Hi ((first_name)) ((Last Name)) ((practice-name))",
        "Hi ((nhs_number)) and ((dob)) and ((dob))",
        "(( first_name )) ((FIRSTNAME)) ((link)) ((()) (( ))",
    ],
)
def test_the_web_finds_the_unknown_placeholders_the_campaign_service_refuses(text: str) -> None:
    from campaign.domain.rendering import unknown_placeholders as campaigns

    assert unknown_placeholders(text) == campaigns(text)
