"""Sending a completed campaign again to the patients it did not reach: the campaign page's
section, the page that names the new campaign, and the new campaign's page."""

from typing import Any

import pytest

from ..conftest import Web
from ..html import Page

UNREACHED = {"status": "failed", "reason_code": "PHONE_NOT_REACHABLE", "reason": "Phone off"}
SECTION = "Patients the message did not reach"


def completed(web: Web, unreached: int = 2, **fields: Any) -> dict[str, Any]:
    """A sent campaign: one patient reached, ``unreached`` whose phone was off."""
    campaign = web.gateway.add_campaign(
        status="completed", message={"body": "Hello ((first_name))", "subject": None}, **fields
    )
    web.gateway.add_recipient(campaign)
    web.gateway.add_recipient(campaign, status="failed", reason_code="INVALID_NUMBER")
    for _ in range(unreached):
        web.gateway.add_recipient(campaign, **UNREACHED)
    return campaign


def send_again_asked(web: Web) -> int:
    return sum(path.endswith("/send-again") for _m, path, _h, _b in web.gateway.requests)


async def test_a_completed_campaign_offers_to_send_again_to_those_it_did_not_reach(
    signed_in: Web,
) -> None:
    campaign = completed(signed_in)
    url = f"/campaigns/{campaign['id']}"

    page = await signed_in.page(url)

    assert SECTION in page.main_text
    assert (
        "2 patients did not get the message because their phone was off, out of signal or "
        "could not take text messages at the time, or there was a network problem. You can "
        "send it to them again." in page.main_text
    )
    assert "Send again to 2 patients" in page.buttons()
    assert page.link("Send again to 2 patients") == f"{url}/send-again"


async def test_one_patient_is_one_patient(signed_in: Web) -> None:
    campaign = completed(signed_in, unreached=1)

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    assert "1 patient did not get the message" in page.main_text
    assert "Send again to 1 patient" in page.buttons()


async def test_nobody_left_to_send_again_to_shows_nothing(signed_in: Web) -> None:
    campaign = completed(signed_in, unreached=0)

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    assert SECTION not in page.main_text
    assert send_again_asked(signed_in) == 1  # asked, and told nobody is left


@pytest.mark.parametrize("status", ["draft", "sending", "paused", "cancelled", "scheduled"])
async def test_a_campaign_that_has_not_completed_does_not_ask(signed_in: Web, status: str) -> None:
    campaign = completed(signed_in)
    campaign["status"] = status

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    assert SECTION not in page.main_text
    assert send_again_asked(signed_in) == 0
    gone = await signed_in.client.get(f"/campaigns/{campaign['id']}/send-again")
    assert gone.headers["location"] == f"/campaigns/{campaign['id']}"


async def test_a_gateway_that_cannot_say_leaves_only_the_section_out(signed_in: Web) -> None:
    campaign = completed(signed_in)
    signed_in.gateway.send_again_broken = True

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    assert page.h1 == "Flu clinic"
    assert SECTION not in page.main_text


async def test_the_page_explains_and_suggests_a_name(signed_in: Web) -> None:
    campaign = completed(signed_in, name="Flu clinic")

    page = await signed_in.page(f"/campaigns/{campaign['id']}/send-again")

    assert page.h1 == "Send again to patients it did not reach"
    assert page.title.startswith("Send again to patients it did not reach – Flu clinic")
    text = page.main_text
    assert "2 patients did not get the message" in text
    assert "new campaign for them, with the same message" in text
    assert "checked with PDS again" in text
    assert "you review the new campaign and send it" in text
    assert page.label_for("name") == "Campaign name"
    assert 'value="Flu clinic: send again"' in page.html
    assert page.buttons()[-1] == "Create campaign"
    assert page.link("Back to the campaign") == f"/campaigns/{campaign['id']}"


async def test_a_long_name_is_cut_to_fit_the_suggestion(signed_in: Web) -> None:
    campaign = completed(signed_in, name="x" * 200)

    page = await signed_in.page(f"/campaigns/{campaign['id']}/send-again")

    assert f'value="{"x" * 188}: send again"' in page.html


async def test_creating_it_makes_the_new_campaign_and_goes_to_it(signed_in: Web) -> None:
    source = completed(signed_in)
    url = f"/campaigns/{source['id']}/send-again"

    response = await signed_in.post(url, {"name": "  Flu clinic: second try "})

    assert response.status_code == 303
    assert signed_in.gateway.last("POST", "/send-again") == {"name": "Flu clinic: second try"}
    [new] = [c for c in signed_in.gateway.campaigns.values() if c.get("follows_up")]
    assert new["follows_up"] == source["id"]
    assert response.headers["location"] == f"/campaigns/{new['id']}?created=send-again"
    page = await signed_in.page(response.headers["location"])
    assert page.h1 == "Flu clinic: second try"
    assert "Campaign created." in page.main_text
    assert "Sends again to patients that the earlier campaign did not reach" in page.main_text
    assert page.link("the earlier campaign") == f"/campaigns/{source['id']}"
    # The source has nobody left to send again to, so no longer offers it.
    assert SECTION not in (await signed_in.page(f"/campaigns/{source['id']}")).main_text


async def test_a_form_without_its_csrf_token_creates_nothing(signed_in: Web) -> None:
    source = completed(signed_in)
    url = f"/campaigns/{source['id']}/send-again"
    before = len(signed_in.gateway.campaigns)

    missing = await signed_in.client.post(url, data={"name": "Again"})
    forged = await signed_in.client.post(url, data={"name": "Again", "csrf_token": "forged"})

    for answer in (missing, forged):
        assert answer.status_code == 400
        assert Page(answer.text).h1 == "This page has expired"
    assert len(signed_in.gateway.campaigns) == before
    assert not any(m == "POST" for m, *_ in signed_in.gateway.requests)


async def test_a_conflict_is_shown_on_the_form_in_the_gateways_words(signed_in: Web) -> None:
    source = completed(signed_in)
    url = f"/campaigns/{source['id']}/send-again"
    first = await signed_in.post(url, {"name": "Again"})
    assert first.status_code == 303

    # A colleague's send-again already took everyone (the form was open in two tabs).
    again = await signed_in.post(url, {"name": "Again"}, csrf_from=f"/campaigns/{source['id']}")

    assert again.status_code == 400
    page = Page(again.text)
    message = "Everyone this campaign did not reach has already been sent it again."
    assert page.error_summary == [(message, "#name")]
    assert page.inline_error("name") == message
    assert page.title.startswith("Error: ")
    assert len([c for c in signed_in.gateway.campaigns.values() if c.get("follows_up")]) == 1


async def test_an_empty_name_is_refused_with_an_error_summary(signed_in: Web) -> None:
    source = completed(signed_in)
    url = f"/campaigns/{source['id']}/send-again"

    response = await signed_in.post(url, {"name": "   "})

    assert response.status_code == 400
    page = Page(response.text)
    assert page.error_summary == [("Enter a campaign name", "#name")]
    assert page.inline_error("name") == "Enter a campaign name"
    assert not any(m == "POST" and p.endswith("/send-again") for m, p, *_ in
                   signed_in.gateway.requests)  # fmt: skip


async def test_a_name_over_200_characters_is_refused(signed_in: Web) -> None:
    source = completed(signed_in)

    response = await signed_in.post(f"/campaigns/{source['id']}/send-again", {"name": "x" * 201})

    assert Page(response.text).error_summary == [
        ("Campaign name must be 200 characters or fewer", "#name")
    ]


async def test_a_viewer_is_told_who_can_send_again(web: Web) -> None:
    web.gateway.roles = ["viewer"]
    await web.sign_in()
    campaign = completed(web)

    page = await web.page(f"/campaigns/{campaign['id']}")

    assert "Someone who can send campaigns can send it to them again." in page.main_text
    assert "Send again to 2 patients" not in page.buttons()
