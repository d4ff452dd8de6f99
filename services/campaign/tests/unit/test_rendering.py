"""Placeholders, practice names and links: the one renderer (pure domain)."""

import uuid
from datetime import UTC, date, datetime

import pytest

from campaign.domain.errors import InvalidMessage
from campaign.domain.messages import MessageRenderer
from campaign.domain.model import Campaign, Message
from campaign.domain.rendering import check_placeholders
from cohort_contracts.vocabulary import CampaignStatus, CampaignType

from ..builders import LINK_BASE, ORG, PRACTICE_NAME, make_renderer
from .messaging import BOOKING, QUESTIONNAIRE, SETTINGS

RECIPIENT = uuid.uuid4().hex
TODAY = date(2030, 3, 1)


def campaign(type: CampaignType, body: str, org: str = ORG) -> Campaign:
    c = Campaign(
        id=uuid.uuid4(),
        org_id=org,
        name="c",
        type=type,
        created_by="u",
        created_at=datetime.now(UTC),
        **SETTINGS[type],
    )
    c.message = Message(body=body)
    return c


def render(c: Campaign, renderer: MessageRenderer | None = None) -> str:
    return (renderer or make_renderer()).render(c, RECIPIENT, "Ann", "Jones", TODAY).body


def test_placeholders_are_filled_including_the_practice_name() -> None:
    c = campaign("basic", "Dear ((first_name)) ((last_name)), from ((practice_name)).")
    assert render(c) == f"Dear Ann Jones, from {PRACTICE_NAME}."


def test_an_unknown_practice_is_your_gp_practice() -> None:
    c = campaign("basic", "From ((practice_name)).", org="Z99999")
    assert render(c) == "From your GP practice."


def test_placeholder_names_ignore_case_spaces_and_underscores() -> None:
    c = campaign("basic", "Dear ((First Name)) ((LAST_NAME))")
    check_placeholders("basic", "Dear ((First Name)) ((LAST_NAME))", None)
    assert render(c) == "Dear Ann Jones"


def test_a_misspelt_placeholder_is_named_with_a_suggestion() -> None:
    with pytest.raises(InvalidMessage) as refused:
        check_placeholders("basic", "Dear ((frist_name))", None)
    assert "((frist_name))" in refused.value.message
    assert "Did you mean ((first_name))?" in refused.value.message
    assert refused.value.details == {"field": "body", "unknown_placeholders": ["frist_name"]}
    with pytest.raises(InvalidMessage) as subject:
        check_placeholders("basic", "Hi", "For ((nhs_number))")
    assert subject.value.details["field"] == "subject"


def test_a_basic_message_may_not_have_a_link() -> None:
    with pytest.raises(InvalidMessage) as refused:
        check_placeholders("basic", "Book here: ((link))", None)
    assert refused.value.details == {"field": "body", "placeholder": "link"}
    with pytest.raises(InvalidMessage):
        check_placeholders("booking", "Hi", "Your link ((link))")  # never in a subject
    check_placeholders("booking", "Book here: ((link))", None)


def test_a_booking_link_is_appended_with_its_call_to_action() -> None:
    body = render(campaign("booking", "Dear ((first_name)), your flu jab is due.  \n"))
    text, link = body.split("\n\n")
    assert text == "Dear Ann, your flu jab is due."
    assert link.startswith(f"Book your {BOOKING.appointment_type_display} appointment: ")
    assert link.split(": ")[1].startswith(LINK_BASE + ORG + ".")


def test_a_questionnaire_link_is_appended_with_its_call_to_action() -> None:
    body = render(campaign("questionnaire", "Dear ((first_name))."))
    assert body.split("\n\n")[1].startswith(f"Please complete {QUESTIONNAIRE.title}: {LINK_BASE}")


def test_a_link_placed_by_staff_goes_there_and_is_not_appended() -> None:
    body = render(campaign("booking", "Book at ((link)) today"))
    assert body.startswith(f"Book at {LINK_BASE}")
    assert body.endswith(" today")
    assert "\n" not in body


def test_the_link_is_the_recipients_own_and_fixed_by_the_send_date() -> None:
    c = campaign("booking", "Hi")
    renderer = make_renderer()
    one, again = render(c, renderer), render(c, renderer)
    assert one == again
    other = renderer.render(c, uuid.uuid4().hex, "Ann", "Jones", TODAY).body
    assert other != one
    # Once sent, the send date fixes the expiry, whatever day it is rendered on.
    c.sent_at = datetime(2030, 3, 1, 9, tzinfo=UTC)
    c.status = CampaignStatus.SENDING
    later = renderer.render(c, RECIPIENT, "Ann", "Jones", date(2030, 3, 5)).body
    assert later == one


def test_basic_campaigns_have_no_link() -> None:
    assert render(campaign("basic", "Hello")) == "Hello"
