"""POST /v1/campaigns/{id}/patient-lists: all or nothing, batches published exactly."""

import io
from collections.abc import AsyncIterator
from datetime import date
from uuid import UUID, uuid4

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from cohort_contracts.campaign_requests import RegisterPatientList

from ..conftest import ORG, GatewayFactory, Harness

HEADER = "NHS Number,Date of Birth,Name,Address\r\n"


def csv_rows(count: int) -> bytes:
    lines = [
        f'{9000000000 + i},01/02/1980,Patient {i},"{i} High St, Leeds"\r\n' for i in range(count)
    ]
    return (HEADER + "".join(lines)).encode()


async def upload(
    gateway: Harness,
    campaign_id: UUID,
    data: bytes,
    *,
    channel: str | None = "sms",
    filename: str = "list.csv",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, object], dict[str, str]]:
    response = await gateway.client.post(
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": (filename, data, "text/csv")},
        data={} if channel is None else {"channel": channel},
        headers=gateway.auth() if headers is None else headers,
    )
    return response.status_code, response.json(), dict(response.headers)


def nothing_happened(gateway: Harness) -> bool:
    return not gateway.campaign.sent(RegisterPatientList) and not gateway.resolve_rows


async def test_a_good_upload_registers_the_list_then_publishes_exact_batches(
    gateway: Harness,
) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    status, body, headers = await upload(gateway, campaign.id, csv_rows(450), filename="flu.csv")

    assert status == 202
    [register] = gateway.campaign.sent(RegisterPatientList)
    assert register.org_id == ORG
    assert register.campaign_id == campaign.id
    assert register.channel == "sms"
    assert register.filename == "flu.csv"
    assert register.columns == ["NHS Number", "Date of Birth", "Name", "Address"]
    assert register.total_rows == 450
    assert body["id"] == str(register.list_id)
    assert headers["location"] == f"/v1/campaigns/{campaign.id}/patient-lists/{register.list_id}"

    batches = sorted(gateway.resolve_rows, key=lambda m: m.batch_number)
    assert [b.batch_number for b in batches] == [0, 1, 2]
    assert [len(b.rows) for b in batches] == [200, 200, 50]
    assert {b.list_id for b in batches} == {register.list_id}
    assert {b.correlation_id for b in batches} == {register.correlation_id}
    assert {(b.org_id, b.campaign_id, b.channel) for b in batches} == {(ORG, campaign.id, "sms")}
    assert len({b.message_id for b in batches}) == 3
    rows = [row for b in batches for row in b.rows]
    assert [r.row_number for r in rows] == list(range(1, 451))
    assert rows[9].cells == ["9000000009", "01/02/1980", "Patient 9", "9 High St, Leeds"]
    assert (rows[9].nhs_number, rows[9].date_of_birth) == ("9000000009", "01/02/1980")


async def test_a_windows_path_in_the_filename_is_dropped(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    status, _, _ = await upload(gateway, campaign.id, csv_rows(1), filename="C:\\fakepath\\a.csv")

    assert status == 202
    assert gateway.campaign.sent(RegisterPatientList)[0].filename == "a.csv"


async def test_another_orgs_campaign_is_404_and_nothing_is_published(gateway: Harness) -> None:
    theirs = gateway.campaign.add_campaign(org_id="B82002")

    status, body, _ = await upload(gateway, theirs.id, csv_rows(3))

    assert status == 404
    assert body["error"]["code"] == "not_found"  # type: ignore[index]
    assert gateway.resolve_rows == []


@pytest.mark.parametrize(
    ("data", "status", "code", "detail"),
    [
        (b"", 422, "empty_file", {}),
        (b"\r\n\r\n", 422, "empty_file", {}),
        (
            HEADER.encode(),
            422,
            "no_data_rows",
            {"columns_found": ["NHS Number", "Date of Birth", "Name", "Address"]},
        ),
        (b"NHS Number,DOB\n\x00\x01\x02,\x00\n", 422, "not_a_csv_file", {"reason": "binary"}),
        (b"PK\x03\x04\x14\x00\x06\x00\x00\x00!\x00", 422, "unsupported_file", {"reason": "zip"}),
        (
            b"Patient,Born\nAnn,1980\n",
            422,
            "missing_columns",
            {"missing": ["NHS number", "date of birth"], "columns_found": ["Patient", "Born"]},
        ),
        (b'NHS Number,DOB\n1,"open\n', 422, "malformed_csv", {"line": 2}),
        (csv_rows(6), 413, "too_many_rows", {"max_rows": 5}),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "binary",
        "zip-named-csv",
        "no-columns",
        "unclosed-quote",
        "rows",
    ],
)
async def test_unsound_files_are_refused_whole(
    gateway_factory: GatewayFactory,
    data: bytes,
    status: int,
    code: str,
    detail: dict[str, object],
) -> None:
    async with gateway_factory(max_rows=5) as gateway:
        campaign = gateway.campaign.add_campaign(org_id=ORG)

        got_status, body, _ = await upload(gateway, campaign.id, data)

        assert got_status == status
        error = body["error"]
        assert isinstance(error, dict)
        assert error["code"] == code
        assert detail.items() <= error["details"].items()
        assert nothing_happened(gateway)


async def test_a_file_over_the_size_limit_is_413_naming_it(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(max_upload_bytes=4096) as gateway:
        campaign = gateway.campaign.add_campaign(org_id=ORG)

        status, body, _ = await upload(gateway, campaign.id, csv_rows(200))

        assert status == 413
        error = body["error"]
        assert isinstance(error, dict)
        assert error["code"] == "file_too_large"
        assert "4,096 bytes" in error["message"]
        assert error["details"] == {"max_bytes": 4096}
        assert nothing_happened(gateway)


async def test_a_streamed_body_without_content_length_is_cut_off_at_the_limit(
    gateway_factory: GatewayFactory,
) -> None:
    async with gateway_factory(max_upload_bytes=4096) as gateway:
        campaign = gateway.campaign.add_campaign(org_id=ORG)
        boundary = "b0undary"
        chunks_sent = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal chunks_sent
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="channel"\r\n\r\nsms\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            for _ in range(1000):  # ~1 MB, far over the limit
                chunks_sent += 1
                yield b"9434765919,01/02/1980" * 50 + b"\r\n"
            yield f"\r\n--{boundary}--\r\n".encode()

        response = await gateway.client.post(
            f"/v1/campaigns/{campaign.id}/patient-lists",
            content=body(),
            headers={**gateway.auth(), "content-type": f"multipart/form-data; boundary={boundary}"},
        )

        assert "content-length" not in response.request.headers
        assert response.status_code == 413
        assert chunks_sent < 10  # stopped reading at the limit, not after the whole body
        assert response.json()["error"]["code"] == "file_too_large"
        assert nothing_happened(gateway)


async def test_an_anonymous_upload_is_401_before_any_limit(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(max_upload_bytes=1024) as gateway:
        status, _, _ = await upload(gateway, uuid4(), csv_rows(100), headers={})

        assert status == 401
        assert nothing_happened(gateway)


@pytest.mark.parametrize(("channel", "field"), [(None, "body.channel"), ("fax", "body.channel")])
async def test_channel_is_required_and_checked(
    gateway: Harness, channel: str | None, field: str
) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    status, body, _ = await upload(gateway, campaign.id, csv_rows(1), channel=channel)

    assert status == 422
    assert body["error"]["details"]["fields"] == [field]  # type: ignore[index]
    assert nothing_happened(gateway)


async def test_the_file_is_required(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    response = await gateway.client.post(
        f"/v1/campaigns/{campaign.id}/patient-lists",
        data={"channel": "sms"},
        headers=gateway.auth(),
    )

    assert response.status_code == 422
    assert response.json()["error"]["details"]["fields"] == ["body.file"]


async def test_logs_carry_ids_only(gateway: Harness, caplog: pytest.LogCaptureFixture) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    caplog.set_level("DEBUG")

    await upload(gateway, campaign.id, csv_rows(5), filename="smith-john.csv")
    await upload(gateway, campaign.id, b"Patient,Born\n9000000001,1980\n")

    logged = " ".join(str(record.__dict__) for record in caplog.records)
    assert "patient list queued" in logged
    for secret in ("9000000001", "01/02/1980", "High St", "Patient 1", "smith-john"):
        assert secret not in logged


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_an_xlsx_upload_is_read_from_its_cells(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    data = xlsx(
        [
            ["Flu list"],
            ["NHSNumber", "Birth Date", "First Name", "Surname"],
            [9434765919, date(1980, 2, 29), "Ann", "Smith"],
            [9434765870, "29.02.1980", "Bo", "Jones"],
        ]
    )

    status, body, _ = await upload(gateway, campaign.id, data, filename="flu.xlsx")

    assert status == 202, body
    assert body["format"] == "xlsx"
    assert body["columns_recognised"] == {
        "NHS number": "NHSNumber",
        "date of birth": "Birth Date",
        "given name": "First Name",
        "family name": "Surname",
    }
    [register] = gateway.campaign.sent(RegisterPatientList)
    assert (register.filename, register.total_rows) == ("flu.xlsx", 2)
    assert register.columns == ["NHSNumber", "Birth Date", "First Name", "Surname"]
    [batch] = gateway.resolve_rows
    assert [r.cells for r in batch.rows] == [
        ["9434765919", "29/02/1980", "Ann", "Smith"],
        ["9434765870", "29.02.1980", "Bo", "Jones"],
    ]


async def test_a_csv_upload_reports_its_columns_too(gateway: Harness) -> None:
    campaign = gateway.campaign.add_campaign(org_id=ORG)

    status, body, _ = await upload(gateway, campaign.id, csv_rows(2))

    assert status == 202
    assert body["format"] == "csv"
    assert body["columns_recognised"] == {
        "NHS number": "NHS Number",
        "date of birth": "Date of Birth",
        "given name": None,
        "family name": None,
    }


@pytest.mark.parametrize(
    ("data", "filename", "status", "code"),
    [
        (b"PK\x03\x04garbage, not a zip", "list.xlsx", 422, "unreadable_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "list.xls", 422, "unsupported_file"),
        (
            xlsx([["NHS Number", "DOB"], *([9434765919, "1/1/1990"] for _ in range(6))]),
            "l.xlsx",
            413,
            "too_many_rows",
        ),
        (xlsx([["Name", "DOB"], ["Ann", "1/1/1990"]]), "l.xlsx", 422, "missing_columns"),
    ],
    ids=["corrupt", "old-xls", "rows", "no-nhs-column"],
)
async def test_unsound_workbooks_are_refused_whole(
    gateway_factory: GatewayFactory, data: bytes, filename: str, status: int, code: str
) -> None:
    async with gateway_factory(max_rows=5) as gateway:
        campaign = gateway.campaign.add_campaign(org_id=ORG)

        got_status, body, _ = await upload(gateway, campaign.id, data, filename=filename)

        assert got_status == status
        assert body["error"]["code"] == code  # type: ignore[index]
        assert nothing_happened(gateway)
