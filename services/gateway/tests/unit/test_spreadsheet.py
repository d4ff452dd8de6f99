"""Reading .xlsx patient lists: the first visible sheet, cells as Excel shows them, and every
way a workbook can be refused."""

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from gateway.domain.uploads import FileLimits, PreparedUpload, UploadRejected, prepare_upload
from gateway.domain.uploads.errors import (
    MissingColumns,
    NotText,
    NoVisibleSheet,
    SpreadsheetTooLarge,
    TooManyRows,
    UnreadableSpreadsheet,
    UnsupportedFile,
)
from gateway.domain.uploads.prepare import detect_format
from gateway.domain.uploads.spreadsheet import display

NHS_A, NHS_B = "9434765919", "9434765870"
LIMITS = FileLimits(max_rows=100, max_unpacked_bytes=50 * 1024 * 1024)


def workbook(*sheets: list[list[Any]], hidden: tuple[int, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for index, rows in enumerate(sheets):
        sheet = book.create_sheet(f"Sheet{index + 1}")
        for row in rows:
            sheet.append(row)
        if index in hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prepared(data: bytes, name: str = "list.xlsx", limits: FileLimits = LIMITS) -> PreparedUpload:
    return prepare_upload(io.BytesIO(data), name, limits)


def rejected(data: bytes, name: str = "list.xlsx", limits: FileLimits = LIMITS) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        prepared(data, name, limits)
    return caught.value


def test_cells_are_read_as_a_person_sees_them() -> None:
    data = workbook(
        [
            ["NHS Number", "Date of Birth", "Forename", "Surname", "Visits", "Due", "Ok"],
            [9434765919, date(1980, 2, 29), "Ann", "Ó Briain", 3, 2.5, True],
            [9434765870.0, datetime(1957, 2, 28), "Bo", None, 1.0, time(9, 30), False],
            ["943 476 5919", "29-Feb-1980", "Cy", "Lee", 0.1 + 0.2, datetime(2026, 1, 2, 14, 5), 7],
        ]
    )

    upload = prepared(data)
    try:
        rows = list(upload.rows())
    finally:
        upload.close()

    assert upload.format == "xlsx"
    assert upload.layout.total_rows == 3
    assert rows[0].cells == [NHS_A, "29/02/1980", "Ann", "Ó Briain", "3", "2.5", "TRUE"]
    assert rows[1].cells == [NHS_B, "28/02/1957", "Bo", "", "1", "09:30", "FALSE"]
    assert rows[2].cells == [
        "943 476 5919",
        "29-Feb-1980",
        "Cy",
        "Lee",
        "0.3",
        "02/01/2026 14:05",
        "7",
    ]
    assert (rows[0].nhs_number, rows[0].date_of_birth) == (NHS_A, "29/02/1980")


def test_the_first_visible_sheet_is_read_with_titles_and_blank_rows_skipped() -> None:
    hidden = [["NHS Number", "DOB"], [NHS_B, "01/01/1990"]]
    visible: list[list[Any]] = [
        ["Flu cohort, run 01/10/2026"],
        [],
        ["NHS No", "DOB", "Given Name", "Family Name"],
        [NHS_A, "01/02/1980", "Ann", "Smith"],
        [],
        [None, None, None],
        [NHS_B, "02/03/1990", "Bo", "Jones"],
    ]
    data = workbook(hidden, visible, [["NHS Number", "DOB"], ["1", "2"]], hidden=(0,))

    upload = prepared(data)
    rows = list(upload.rows())
    upload.close()

    assert upload.layout.columns == ("NHS No", "DOB", "Given Name", "Family Name")
    assert [(r.row_number, r.nhs_number) for r in rows] == [(1, NHS_A), (2, NHS_B)]
    assert upload.layout.recognised() == {
        "NHS number": "NHS No",
        "date of birth": "DOB",
        "given name": "Given Name",
        "family name": "Family Name",
    }


def test_cells_with_newlines_and_commas_survive() -> None:
    data = workbook([["NHS Number", "DOB", "Address"], [NHS_A, "01/02/1980", "1 High St,\nLeeds"]])

    upload = prepared(data)

    assert next(upload.rows()).cells[2] == "1 High St,\nLeeds"
    upload.close()


def test_missing_columns_are_named_as_for_csv() -> None:
    error = rejected(workbook([["Patient", "Born"], ["Ann", date(1980, 1, 1)]]))

    assert isinstance(error, MissingColumns)
    assert error.details["columns_found"] == ["Patient", "Born"]


def test_row_limit_names_the_limit_and_stops_reading_early() -> None:
    rows = [["NHS Number", "DOB"], *([NHS_A, "01/01/1990"] for _ in range(11))]
    limits = FileLimits(max_rows=10, max_unpacked_bytes=LIMITS.max_unpacked_bytes)

    error = rejected(workbook(rows), limits=limits)

    assert isinstance(error, TooManyRows)
    assert error.details == {"max_rows": 10}
    assert prepared(workbook(rows[:11]), limits=limits).layout.total_rows == 10


def edited(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """``data`` with one part of the zip changed, as a damaged or hand-edited file would be."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            body = source.read(entry.filename)
            archive.writestr(entry, edit(body) if entry.filename.startswith(part) else body)
    return out.getvalue()


def test_no_visible_sheet() -> None:
    # openpyxl refuses to save a book with every sheet hidden, but Excel files can be so.
    data = edited(
        workbook([["NHS Number", "DOB"]]),
        "xl/workbook.xml",
        lambda xml: xml.replace(b'state="visible"', b'state="hidden"'),
    )

    assert isinstance(rejected(data), NoVisibleSheet)


def test_a_zip_bomb_is_refused_before_parsing() -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (3 * 1024 * 1024))
    limits = FileLimits(max_rows=10, max_unpacked_bytes=2 * 1024 * 1024)

    error = rejected(bomb.getvalue(), limits=limits)

    assert isinstance(error, SpreadsheetTooLarge)
    assert error.details == {"max_unpacked_bytes": 2 * 1024 * 1024}
    assert "2 MB" in error.message


def _damaged_sheet() -> bytes:
    data = workbook([["NHS Number", "DOB"], [NHS_A, "x"]])
    # The sheet's XML cut off in the middle of the rows.
    return edited(data, "xl/worksheets/", lambda xml: xml[: len(xml) // 2])


def _not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "a zip, not a workbook")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        workbook([["NHS Number", "DOB"], [NHS_A, "x"]])[:300],
        _not_a_workbook(),
        _damaged_sheet(),
        b"PK\x03\x04" + b"\x00" * 100,
    ],
    ids=["truncated", "no-workbook-parts", "damaged-sheet-xml", "magic-only"],
)
def test_a_damaged_workbook_is_unreadable_not_a_crash(data: bytes) -> None:
    error = rejected(data)

    assert isinstance(error, UnreadableSpreadsheet)
    assert error.code == "unreadable_spreadsheet"
    assert "could not be read" in error.message


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"PK\x03\x04", "list.xlsx", "xlsx"),
        (b"PK\x03\x04", "LIST.XLSX", "xlsx"),
        (b"NHS Number,DOB", "list.xlsx", "csv"),  # a CSV someone named .xlsx is read as CSV
        (b"NHS Number,DOB", "list.csv", "csv"),
    ],
)
def test_the_format_is_told_by_content_and_name(head: bytes, name: str, expected: str) -> None:
    assert detect_format(head, name) == expected


@pytest.mark.parametrize(
    ("head", "name", "reason"),
    [
        (b"PK\x03\x04", "list.csv", "zip"),
        (b"PK\x03\x04", "list.zip", "zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "list.xls", "xls"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "list.xlsx", "encrypted"),
    ],
)
def test_files_we_recognise_but_cannot_read_say_what_to_do(
    head: bytes, name: str, reason: str
) -> None:
    error = rejected(head + b"\x00" * 64, name)

    assert isinstance(error, UnsupportedFile)
    assert error.details == {"reason": reason}


def test_binary_that_is_neither_is_not_text() -> None:
    assert isinstance(rejected(b"\x00\x01\x02binary", "list.csv"), NotText)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, ""),
        (9434765919, "9434765919"),
        (9434765919.0, "9434765919"),
        (1e20, "1e+20"),
        (-3.25, "-3.25"),
        (date(1980, 2, 29), "29/02/1980"),
        (datetime(1980, 2, 29, 0, 0), "29/02/1980"),
        (time(7, 5, 9), "07:05:09"),
        ("a\x00b", "ab"),
    ],
)
def test_display(value: object, shown: str) -> None:
    assert display(value) == shown
