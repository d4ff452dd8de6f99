"""The opt-outs pages: the list, adding a number (with errors beside the field), removing one
only after asking, and another practice's opt-out is not found. The review and a patient's page
show language needs from PDS."""

from ..conftest import Web
from ..html import Page


async def test_the_list_shows_how_each_patient_opted_out(signed_in: Web) -> None:
    # Numbers as staff write them (07700 900123), not as stored (447700900123).
    signed_in.gateway.add_suppression(contact="447700900123", source="reply")
    signed_in.gateway.add_suppression(contact="ann@example.com", source="email_link")
    signed_in.gateway.add_suppression("B82002", contact="447700900999")  # another practice's

    page = await signed_in.page("/opt-outs")

    assert page.h1 == "Opt-outs"
    rows = page.table_rows()
    assert [r[:2] for r in rows] == [
        ["07700 900123", "Replied STOP"],
        ["ann@example.com", "Unsubscribed from an email"],
    ]
    assert page.link("Opt-outs") == "/opt-outs"  # in the header's navigation


async def test_staff_add_a_number(signed_in: Web) -> None:
    response = await signed_in.post("/opt-outs/new", {"contact": " 07700 900456 "})

    assert response.status_code == 303
    assert response.headers["location"] == "/opt-outs?done=added"
    assert signed_in.gateway.last("POST", "/v1/suppressions") == {"contact": "07700 900456"}
    done = await signed_in.page("/opt-outs?done=added")
    assert "No campaign will message them" in done.main_text


async def test_adding_says_how_to_fix_a_mistake(signed_in: Web) -> None:
    empty = Page((await signed_in.post("/opt-outs/new", {"contact": ""})).text)
    assert empty.error_summary == [("Enter a mobile number or an email address", "#contact")]
    assert empty.inline_error("contact") == "Enter a mobile number or an email address"

    refused = await signed_in.post("/opt-outs/new", {"contact": "01632 960001"})
    assert refused.status_code == 400
    page = Page(refused.text)
    assert page.inline_error("contact") == "Enter a UK mobile number, like 07700 900123."
    assert page.title.startswith("Error: ")


async def test_removing_asks_first_then_removes(signed_in: Web) -> None:
    opt_out = signed_in.gateway.add_suppression(contact="447700900123")
    url = f"/opt-outs/{opt_out['id']}/remove"

    confirm = await signed_in.page(url)
    assert confirm.h1 == "Are you sure you want to remove 07700 900123?"
    assert opt_out["active"] is True
    response = await signed_in.post(url)

    assert response.headers["location"] == "/opt-outs?done=removed"
    assert opt_out["active"] is False


async def test_another_practices_opt_out_is_not_found(signed_in: Web) -> None:
    theirs = signed_in.gateway.add_suppression("B82002")
    await signed_in.page(f"/opt-outs/{theirs['id']}/remove", status=404)
    assert theirs["active"] is True


async def test_review_shows_language_needs(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign(message={"body": "Hello", "subject": None})
    signed_in.gateway.recipients[campaign["id"]] = []
    signed_in.gateway.review_overrides = {
        "language_needs": [
            {"language": "Polish", "count": 2, "interpreter_required": 1},
            {"language": "British Sign Language", "count": 1, "interpreter_required": 0},
        ],
        "excluded_by_reason": [
            {
                "reason_code": "OPTED_OUT",
                "reason": "The patient has asked not to receive these messages.",
                "count": 3,
            }
        ],
    }

    page = await signed_in.page(f"/campaigns/{campaign['id']}/review")

    text = page.main_text
    assert "2 prefer Polish (1 needs an interpreter)" in text
    assert "1 prefers British Sign Language" in text
    assert "The patient has asked not to receive these messages." in text


async def test_a_patients_page_shows_their_language_need(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    patient = signed_in.gateway.add_recipient(
        campaign, language="Polish", interpreter_required=True
    )
    other = signed_in.gateway.add_recipient(campaign)

    page = await signed_in.page(f"/campaigns/{campaign['id']}/patients/{patient['id']}")
    plain = await signed_in.page(f"/campaigns/{campaign['id']}/patients/{other['id']}")

    assert "Polish, needs an interpreter" in page.main_text
    assert "Language" not in plain.main_text
