"""The campaign pages against the fake gateway: what staff see, what is sent to the API, and
what happens with bad input or when the gateway is down."""

from ..conftest import Web
from ..html import Page


async def test_home_is_manage_campaigns_with_each_campaigns_status_and_counts(
    signed_in: Web,
) -> None:
    counts = {"recipients": 10, "queued": 0, "sent": 1, "delivered": 8, "failed": 1}
    signed_in.gateway.add_campaign(name="Shingles Info", status="completed", counts=counts)
    signed_in.gateway.add_campaign(name="Not ours", org="B82002")

    home = await signed_in.client.get("/")
    assert home.headers["location"] == "/campaigns"
    page = await signed_in.page("/campaigns")

    assert page.h1 == "Manage campaigns"
    assert page.title == "Manage campaigns – Cohort – NHS"
    assert page.link("+ New campaign") == "/campaigns/new"
    [row] = page.table_rows()
    assert row[0] == "Shingles Info Basic"
    assert row[1:6] == ["Sent", "10", "10", "8", "1"]
    assert "by Priya Shah" in row[6]


async def test_the_overview_filters_by_status(signed_in: Web) -> None:
    signed_in.gateway.add_campaign(name="Draft one")
    signed_in.gateway.add_campaign(name="Sending one", status="sending")

    page = await signed_in.page("/campaigns?status=sending")

    assert [r[0] for r in page.table_rows()] == ["Sending one Basic"]
    empty = await signed_in.page("/campaigns?status=cancelled")
    assert "There are no cancelled campaigns." in empty.main_text


async def test_a_new_campaign_needs_a_name_and_a_type(signed_in: Web) -> None:
    response = await signed_in.post("/campaigns/new", {"name": "  "})

    assert response.status_code == 400
    page = Page(response.text)
    assert page.error_summary == [
        ("Enter a campaign name", "#name"),
        ("Select the type of campaign", "#type"),
    ]
    assert page.inline_error("name") == "Enter a campaign name"
    assert page.inline_error("type") == "Select the type of campaign"
    assert "For example, Shingles Info" in page.main_text


async def test_a_booking_campaign_names_its_appointment_type(signed_in: Web) -> None:
    missing = await signed_in.post("/campaigns/new", {"name": "Flu", "type": "booking"})
    assert Page(missing.text).error_summary == [
        ("Select the appointment type patients will book", "#appointment_type")
    ]

    response = await signed_in.post(
        "/campaigns/new",
        {"name": "Flu clinic", "type": "booking", "appointment_type": "FLU"},
        csrf_from="/campaigns/new",
    )

    assert response.status_code == 303
    body = signed_in.gateway.last("POST", "/v1/campaigns")
    assert body["booking"] == {
        "appointment_type_code": "FLU",
        "appointment_type_display": "flu vaccination",
    }
    assert response.headers["location"].endswith("/upload")


async def test_the_gateways_refusal_shows_on_the_form(signed_in: Web) -> None:
    response = await signed_in.post("/campaigns/new", {"name": "Break it", "type": "basic"})

    assert response.status_code == 400
    assert Page(response.text).error_summary == [("The name is not allowed.", "#name")]


async def test_another_practices_campaign_is_a_404_page(signed_in: Web) -> None:
    theirs = signed_in.gateway.add_campaign(org="B82002")

    for url in (
        f"/campaigns/{theirs['id']}",
        f"/campaigns/{theirs['id']}/upload",
        f"/campaigns/{theirs['id']}/review",
        "/campaigns/not-a-campaign-id",
        "/no-such-page",
    ):
        page = await signed_in.page(url, status=404)
        assert page.h1 == "Page not found"


async def test_upload_needs_a_channel_and_a_csv_or_excel_file(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    url = f"/campaigns/{campaign['id']}/upload"
    page = await signed_in.page(url)
    assert page.label_for("file") == "Choose file"
    assert "Continue" in page.buttons()

    empty = Page((await signed_in.post(url, {})).text)
    assert empty.error_summary == [
        ("Select SMS or email", "#channel"),
        ("Select a CSV or Excel (.xlsx) file of patients", "#file"),
    ]
    wrong = await signed_in.post(
        url, {"channel": "sms"}, files={"file": ("list.pdf", b"%PDF", "application/pdf")}
    )
    assert Page(wrong.text).inline_error("file") == (
        "The selected file must be a CSV or an Excel (.xlsx) file"
    )


async def test_an_unreadable_file_is_explained_beside_the_file_field(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    url = f"/campaigns/{campaign['id']}/upload"

    response = await signed_in.post(
        url, {"channel": "sms"}, files={"file": ("list.csv", b"Name,DOB\r\nA,1\r\n", "text/csv")}
    )

    assert response.status_code == 400
    page = Page(response.text)
    assert page.error_summary == [
        ("The file has no NHS number column. Add a column headed NHS number.", "#file")
    ]


async def test_an_upload_goes_to_the_gateway_and_on_to_its_status(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    url = f"/campaigns/{campaign['id']}/upload"
    csv = b"NHS Number,Date of Birth\r\n9434765919,01/02/1980\r\n"

    response = await signed_in.post(
        url, {"channel": "email"}, files={"file": ("C:\\fakepath\\list.csv", csv, "text/csv")}
    )

    assert response.status_code == 303
    [patient_list] = signed_in.gateway.lists.values()
    assert patient_list["channel"] == "email"
    assert response.headers["location"] == f"/campaigns/{campaign['id']}/lists/{patient_list['id']}"
    page = await signed_in.page(response.headers["location"])
    assert "0 of 2 patients checked (0%)" in page.main_text


async def test_the_status_screen_shows_progress_and_time_left_while_checking(
    signed_in: Web,
) -> None:
    campaign = signed_in.gateway.add_campaign()
    patient_list = signed_in.gateway.add_list(
        campaign,
        status="resolving",
        total_rows=1000,
        processed_rows=250,
        created_at="2020-01-01T00:00:00+00:00",
    )

    page = await signed_in.page(f"/campaigns/{campaign['id']}/lists/{patient_list['id']}")

    assert "250 of 1,000 patients checked (25%)" in page.main_text
    assert "left." in page.main_text
    progress = page.all("div")
    assert any(d.attrs.get("hx-trigger") == "every 2s" for d in progress)


async def test_a_checked_list_groups_the_unsuccessful_by_reason_with_the_download(
    signed_in: Web,
) -> None:
    campaign = signed_in.gateway.add_campaign()
    patient_list = signed_in.gateway.add_list(campaign)
    url = f"/campaigns/{campaign['id']}/lists/{patient_list['id']}"

    page = await signed_in.page(url)

    assert "Finished checking 3 patients" in page.main_text
    assert page.table_rows() == [
        ["The date of birth does not match PDS. Check it in your clinical system.", "1"]
    ]
    download = page.link("Download unsuccessful patients (CSV)")
    assert not any(d.attrs.get("hx-trigger") for d in page.all("div"))
    response = await signed_in.client.get(download)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert "DATE_OF_BIRTH_MISMATCH" in response.text


async def test_the_campaign_lists_each_of_its_patient_lists(signed_in: Web) -> None:
    campaign = signed_in.gateway.add_campaign()
    signed_in.gateway.add_list(campaign, filename="first.csv")
    signed_in.gateway.add_list(campaign, filename="second.csv", status="resolving")

    page = await signed_in.page(f"/campaigns/{campaign['id']}")

    rows = page.table_rows()
    assert [r[0].split(" Uploaded")[0] for r in rows] == ["first.csv", "second.csv"]
    assert [r[2] for r in rows] == ["Checked", "Checking"]
    assert "Upload another patient list" in page.main_text
