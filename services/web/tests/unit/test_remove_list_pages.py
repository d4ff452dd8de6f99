"""Removing a draft campaign's most recent patient list: the link on the campaign page, the page
that asks first, and what happens when the gateway says no."""

from typing import Any

import pytest

from ..conftest import Web
from ..html import Page


def draft_with_two_lists(web: Web) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A draft with an older list and then shingles.csv, which added 2 patients."""
    campaign = web.gateway.add_campaign()
    older = web.gateway.add_list(campaign, filename="flu.csv")
    web.gateway.add_recipient(campaign, list_id=older["id"])
    latest = web.gateway.add_list(campaign, filename="shingles.csv", succeeded=2)
    web.gateway.add_recipient(campaign, list_id=latest["id"])
    web.gateway.add_recipient(campaign, list_id=latest["id"])
    return campaign, older, latest


def remove_links(page: Page) -> dict[str, str]:
    return {a.text(): a.attrs["href"] for a in page.all("a") if a.text().startswith("Remove")}


async def offers_no_removal(web: Web, campaign: dict[str, Any], latest: dict[str, Any]) -> None:
    """The campaign page has no Remove link, and the confirmation page of even the most recent
    list goes back to the campaign page."""
    url = f"/campaigns/{campaign['id']}"
    assert remove_links(await web.page(url)) == {}
    confirm = await web.client.get(f"{url}/lists/{latest['id']}/remove")
    assert confirm.headers["location"] == url


def deletes(web: Web) -> int:
    return sum(m == "DELETE" for m, _p, _h, _b in web.gateway.requests)


async def test_a_draft_offers_to_remove_only_its_most_recent_list(signed_in: Web) -> None:
    campaign, _older, latest = draft_with_two_lists(signed_in)
    url = f"/campaigns/{campaign['id']}"

    page = await signed_in.page(url)

    assert remove_links(page) == {"Remove shingles.csv": f"{url}/lists/{latest['id']}/remove"}
    hidden = page.all("span", "nhsuk-u-visually-hidden")
    assert "shingles.csv" in [span.text() for span in hidden]


@pytest.mark.parametrize("status", ["sending", "scheduled", "completed", "cancelled"])
async def test_a_campaign_that_is_not_a_draft_offers_no_removal(
    signed_in: Web, status: str
) -> None:
    campaign, _older, latest = draft_with_two_lists(signed_in)
    campaign["status"] = status

    await offers_no_removal(signed_in, campaign, latest)


async def test_a_viewer_is_not_offered_a_removal(web: Web) -> None:
    web.gateway.roles = ["viewer"]
    await web.sign_in()
    campaign, _older, latest = draft_with_two_lists(web)

    await offers_no_removal(web, campaign, latest)


async def test_an_earlier_list_has_no_confirmation_page(signed_in: Web) -> None:
    campaign, older, _latest = draft_with_two_lists(signed_in)
    url = f"/campaigns/{campaign['id']}"

    response = await signed_in.client.get(f"{url}/lists/{older['id']}/remove")

    assert response.headers["location"] == url


async def test_the_confirmation_page_names_the_file_and_the_patients(signed_in: Web) -> None:
    campaign, _older, latest = draft_with_two_lists(signed_in)
    url = f"/campaigns/{campaign['id']}"

    page = await signed_in.page(f"{url}/lists/{latest['id']}/remove")

    assert page.h1 == "Flu clinic – Remove this patient list?"
    assert page.title == "Remove this patient list? – Flu clinic – Cohort – NHS"
    assert "You are removing shingles.csv" in page.main_text
    assert (
        "The 2 patients it added will be taken out of this campaign. Nothing has been sent to "
        "them." in page.main_text
    )
    assert "Yes, remove the list" in page.buttons()
    assert page.link("No, keep it") == url
    assert deletes(signed_in) == 0


async def test_a_list_still_being_checked_says_so(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    latest = signed_in.gateway.add_list(campaign, status="resolving", succeeded=0)

    page = await signed_in.page(f"/campaigns/{campaign['id']}/lists/{latest['id']}/remove")

    assert "It is still being checked with PDS." in page.main_text
    assert "It has not added any patients to this campaign." in page.main_text


async def test_removing_without_the_forms_token_changes_nothing(signed_in: Web) -> None:
    campaign, _older, latest = draft_with_two_lists(signed_in)

    response = await signed_in.client.post(
        f"/campaigns/{campaign['id']}/lists/{latest['id']}/remove", data={}
    )

    assert response.status_code == 400
    assert deletes(signed_in) == 0
    assert latest["id"] in signed_in.gateway.lists


async def test_removing_takes_the_list_out_and_says_so(signed_in: Web) -> None:
    campaign, older, latest = draft_with_two_lists(signed_in)
    url = f"/campaigns/{campaign['id']}"
    confirm = f"{url}/lists/{latest['id']}/remove"

    response = await signed_in.post(confirm)

    assert response.status_code == 303
    assert response.headers["location"] == f"{url}?removed=list"
    assert list(signed_in.gateway.lists) == [older["id"]]
    assert [r["list_id"] for r in signed_in.gateway.recipients[campaign["id"]]] == [older["id"]]
    page = await signed_in.page(response.headers["location"])
    assert "Patient list removed." in page.main_text
    assert remove_links(page) == {"Remove flu.csv": f"{url}/lists/{older['id']}/remove"}


async def test_a_refusal_shows_the_gateways_reason(signed_in: Web) -> None:
    campaign, _older, latest = draft_with_two_lists(signed_in)
    url = f"/campaigns/{campaign['id']}"
    confirm = f"{url}/lists/{latest['id']}/remove"
    token = (await signed_in.page(confirm)).csrf()
    campaign["status"] = "sending"  # sent by someone else in the meantime

    response = await signed_in.client.post(confirm, data={"csrf_token": token})

    assert response.status_code == 400
    page = Page(response.text)
    assert page.error_summary == [("This campaign has been sent, so its lists stay.", "")]
    assert page.title.startswith("Error: ")
    assert "shingles.csv has not been removed." in page.main_text
    assert "will be taken out" not in page.main_text
    assert "Yes, remove the list" not in page.buttons()
    assert page.link("Back to the campaign") == url
    assert latest["id"] in signed_in.gateway.lists


async def test_an_upload_whose_rows_were_not_all_queued_goes_to_removing_it(
    signed_in: Web,
) -> None:
    campaign = signed_in.gateway.add_campaign()
    url = f"/campaigns/{campaign['id']}"
    csv = b"NHS Number,Date of Birth\r\nNOT QUEUED,01/02/1980\r\n"

    response = await signed_in.post(
        f"{url}/upload", {"channel": "sms"}, files={"file": ("flu.csv", csv, "text/csv")}
    )

    assert response.status_code == 303
    [stuck] = signed_in.gateway.lists
    assert response.headers["location"] == f"{url}/lists/{stuck}/remove?not_queued=1"
    page = await signed_in.page(response.headers["location"])
    assert (
        "Not all of the rows in flu.csv could be sent for checking with PDS, so this campaign "
        "cannot be sent with this list. Remove it, then upload the file again." in page.main_text
    )
    removed = await signed_in.post(f"{url}/lists/{stuck}/remove")
    assert removed.headers["location"] == f"{url}?removed=list"
    assert signed_in.gateway.lists == {}
