"""GET .../unsuccessful.csv: the original row, then row_number, reason_code and reason."""

import csv
import io
from uuid import uuid4

from cohort_contracts.campaign_requests import GetUnsuccessfulRows
from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, UploadReason

from ..conftest import ORG, Harness
from ..fakes import make_unsuccessful_row

COLUMNS = ["NHS Number", "DOB", "Address"]


async def test_streams_every_page_as_csv(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    rows = [
        make_unsuccessful_row(n, [f"{n}", "01/02/1980", f'{n} High St, "The Close"\nLeeds'])
        for n in range(1, 2501)
    ]
    rows[0] = make_unsuccessful_row(
        1, ["1", "", "x"], reason_code=UploadReason.MISSING_DATE_OF_BIRTH
    )
    list_id = gateway.campaign.add_list(campaign, COLUMNS, rows)

    response = await gateway.unsuccessful_rows(campaign.id, list_id)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="unsuccessful-rows-{list_id}.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffNHS Number,DOB,Address,row_number,reason_code,reason\r\n")
    parsed = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert parsed[0] == [*COLUMNS, "row_number", "reason_code", "reason"]
    assert len(parsed) == 2501
    assert parsed[1] == [
        "1",
        "",
        "x",
        "1",
        "MISSING_DATE_OF_BIRTH",
        UPLOAD_REASON_TEXT[UploadReason.MISSING_DATE_OF_BIRTH],
    ]
    assert parsed[2500] == [
        "2500",
        "01/02/1980",
        '2500 High St, "The Close"\nLeeds',
        "2500",
        "NOT_FOUND",
        UPLOAD_REASON_TEXT[UploadReason.NOT_FOUND],
    ]
    pages = [r for r in gateway.campaign.requests if isinstance(r, GetUnsuccessfulRows)]
    assert [p.after_row for p in pages] == [0, 1000, 2000]
    assert {p.org_id for p in pages} == {ORG}


async def test_a_list_with_no_failures_is_just_the_header(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    list_id = gateway.campaign.add_list(campaign, COLUMNS, [])

    response = await gateway.unsuccessful_rows(campaign.id, list_id)

    assert response.text == "\ufeffNHS Number,DOB,Address,row_number,reason_code,reason\r\n"


async def test_another_orgs_list_is_a_404_not_a_broken_download(gateway: Harness) -> None:
    theirs = gateway.campaign.add_campaign(org_id="B82002")
    list_id = gateway.campaign.add_list(
        theirs, COLUMNS, [make_unsuccessful_row(1, ["a", "b", "c"])]
    )

    response = await gateway.unsuccessful_rows(theirs.id, list_id)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


async def test_get_patient_list(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    list_id = gateway.campaign.add_list(campaign, COLUMNS, [])

    found = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/patient-lists/{list_id}", headers=gateway.auth()
    )
    missing = await gateway.client.get(
        f"/v1/campaigns/{campaign.id}/patient-lists/{uuid4()}", headers=gateway.auth()
    )

    assert found.status_code == 200
    assert found.json()["id"] == str(list_id)
    assert missing.status_code == 404
