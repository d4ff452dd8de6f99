"""Issue 3's proof: each file quirk and each reason, through the HTTP API, against the PDS
simulator. Every list is checked by its counts by reason and its unsuccessful.csv, byte for byte."""

import csv
import io
import time
from typing import Any

import httpx2
import pytest

from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, UploadReason
from cohort_nhs import national_mobile

from . import sending_flow as flow
from . import upload_files as files
from .sending_flow import api, create
from .stack import Stack
from .upload_files import FIXTURE_CONTACTS, ListFile

pytestmark = pytest.mark.e2e

ORG = "A81001"


def upload(client: httpx2.Client, campaign_id: str, f: ListFile) -> httpx2.Response:
    return client.post(
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": (f.filename, f.content, "application/octet-stream")},
        data={"channel": f.channel},
    )


def wait_until_resolved(client: httpx2.Client, url: str, seconds: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        body: dict[str, Any] = client.get(url).json()
        if body["status"] == "complete":
            return body
        assert time.monotonic() < deadline, f"not resolved in {seconds}s: {body}"
        time.sleep(0.3)


def upload_and_check(client: httpx2.Client, campaign_id: str, f: ListFile) -> None:
    """Upload ``f`` and prove every row came to what it should: counts by reason, reason texts,
    and the unsuccessful rows exactly as the file had them."""
    response = upload(client, campaign_id, f)
    assert response.status_code == 202, (f.filename, response.text)
    accepted = response.json()
    total = len(f.resolved) + len(f.failures)
    assert accepted["format"] == ("xlsx" if f.filename.endswith(".xlsx") else "csv")
    assert accepted["columns_recognised"] == f.recognised, f.filename
    assert accepted["total_rows"] == total

    url = response.headers["location"]
    progress = wait_until_resolved(client, url)
    assert (progress["succeeded"], progress["failed"]) == (len(f.resolved), len(f.failures)), (
        f.filename,
        progress,
    )
    by_reason = {r["reason_code"]: r["count"] for r in progress["failed_by_reason"]}
    assert by_reason == f.failed_by_reason(), f.filename
    for entry in progress["failed_by_reason"]:
        assert entry["reason"] == UPLOAD_REASON_TEXT[UploadReason(entry["reason_code"])]

    unsuccessful = client.get(f"{url}/unsuccessful.csv")
    assert unsuccessful.status_code == 200
    assert unsuccessful.content == f.unsuccessful_csv(), (
        f.filename,
        unsuccessful.content.decode("utf-8-sig"),
    )


def recipients(client: httpx2.Client, campaign_id: str) -> list[dict[str, Any]]:
    body = client.get(f"/v1/campaigns/{campaign_id}/recipients", params={"page_size": 500}).json()
    assert body["total"] == len(body["items"])
    items: list[dict[str, Any]] = body["items"]
    return items


def test_file_quirks(stack: Stack) -> None:
    client = api(stack)
    campaign_id = create(client, "Uploads: file quirks")
    lists = [
        files.semicolon_with_bom(),
        files.tab_windows_1252(),
        files.quoted_commas(),
        files.workbook(),
    ]

    refused = [
        (("broken.xlsx", b"PK\x03\x04 not really a workbook"), 422, "unreadable_spreadsheet"),
        (("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)), 422, "unsupported_file"),
        (("no-nhs.csv", b"Name,DOB\nAnn,01/02/1980\n"), 422, "missing_columns"),
        (("empty.csv", b"\r\n\r\n"), 422, "empty_file"),
    ]
    for (filename, content), status, code in refused:
        response = client.post(
            f"/v1/campaigns/{campaign_id}/patient-lists",
            files={"file": (filename, content, "application/octet-stream")},
            data={"channel": "sms"},
        )
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)

    for f in lists:
        upload_and_check(client, campaign_id, f)

    # Every resolved row is a recipient under its 10-digit number, however it was written, and
    # nothing of the refused files is.
    held = recipients(client, campaign_id)
    assert sorted(r["nhs_number"] for r in held) == sorted(n for f in lists for n in f.resolved)
    assert {(r["channel"], r["status"]) for r in held} == {("sms", "ready")}
    assert all(r["contact"].startswith("4477009") for r in held)


def test_every_reason(stack: Stack) -> None:
    client = api(stack)
    campaign_id = create(client, "Uploads: every reason")
    by_sms, by_email = files.every_reason(), files.no_email()

    upload_and_check(client, campaign_id, by_sms)
    upload_and_check(client, campaign_id, by_email)

    held = recipients(client, campaign_id)
    assert {r["nhs_number"]: (r["channel"], r["contact"]) for r in held} == FIXTURE_CONTACTS
    assert {r["given_name"] for r in held if r["nhs_number"] == "9999022227"} == {"Thomas"}
    # Language needs from PDS (NHSCommunication) are kept with the patient for staff to see.
    needs = {r["nhs_number"]: (r["language"], r["interpreter_required"]) for r in held}
    assert needs.pop("9999028888") == ("Polish", True)
    assert set(needs.values()) == {(None, False)}

    download = client.get(f"/v1/campaigns/{campaign_id}/recipients.csv")
    assert download.status_code == 200
    assert download.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"), newline="")))
    # For Excel, a mobile is written as in the UK (447700900123 would show as 4.477E+11).
    assert {r["nhs_number"]: (r["channel"], r["contact"]) for r in rows} == {
        n: (channel, national_mobile(contact) or contact)
        for n, (channel, contact) in FIXTURE_CONTACTS.items()
    }
    assert {r["status"] for r in rows} == {"ready"}

    overview = client.get(f"/v1/campaigns/{campaign_id}").json()
    assert overview["counts"]["recipients"] == len(FIXTURE_CONTACTS)


def test_the_wrong_file_is_removed_and_the_right_one_uploaded(stack: Stack) -> None:
    """A list taken out of a draft takes its patients with it, and they can be uploaded again
    (not duplicates of the removed list's)."""
    client = api(stack)
    campaign_id = create(client, "Remove a list")
    patients = [(p.nhs_number, p.birth_date) for p in flow.pick(5, "9993")]
    wrong = flow.upload(client, campaign_id, patients)
    assert wrong["succeeded"] == 5
    assert flow.campaign(client, campaign_id)["counts"]["recipients"] == 5

    removed = client.delete(f"/v1/campaigns/{campaign_id}/patient-lists/{wrong['id']}")
    assert removed.status_code == 200, removed.text
    assert removed.json()["counts"]["recipients"] == 0
    lists = client.get(f"/v1/campaigns/{campaign_id}/patient-lists").json()["items"]
    assert lists == []

    right = flow.upload(client, campaign_id, patients)
    assert (right["succeeded"], right["failed"]) == (5, 0)
    assert flow.campaign(client, campaign_id)["counts"]["recipients"] == 5
    assert flow.audit_actions(client, campaign_id).count("list_removed") == 1
