"""Reading patient lists the way clinical systems and spreadsheets write them."""

import csv
import io

import pytest

from gateway.domain.uploads import CsvLayout, DataRow, batched, inspect_csv, iter_rows
from gateway.domain.uploads.errors import (
    EmptyFile,
    MalformedCsv,
    MissingColumns,
    NoDataRows,
    NotText,
    TooManyRows,
    UploadRejected,
)

NHS_A, NHS_B = "9434765919", "9434765870"


def read(data: bytes, max_rows: int = 100) -> tuple[CsvLayout, list[DataRow]]:
    file = io.BytesIO(data)
    layout = inspect_csv(file, max_rows=max_rows)
    return layout, list(iter_rows(file, layout))


def rejected(data: bytes, max_rows: int = 100) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect_csv(io.BytesIO(data), max_rows=max_rows)
    return caught.value


def test_a_plain_export() -> None:
    layout, rows = read(b"NHS Number,Date of Birth,First name\n9434765919,01/02/1980,Ann\n")

    assert layout.columns == ("NHS Number", "Date of Birth", "First name")
    assert layout.total_rows == 1
    assert rows == [DataRow(1, ["9434765919", "01/02/1980", "Ann"], NHS_A, "01/02/1980")]


def test_utf8_with_bom_keeps_the_first_header_clean() -> None:
    data = "NHS Number,DOB,Surname\r\n9434765919,1980-02-01,Ó Briain\r\n".encode("utf-8-sig")

    layout, rows = read(data)

    assert layout.encoding == "utf-8-sig"
    assert layout.columns[0] == "NHS Number"
    assert rows[0].cells[2] == "Ó Briain"


def test_windows_1252_is_the_fallback() -> None:
    data = "NHS Number,DOB,Note\r\n9434765919,01/02/1980,owes £5 \u2013 café\r\n".encode("cp1252")

    layout, rows = read(data)

    assert layout.encoding == "cp1252"
    assert rows[0].cells[2] == "owes £5 \u2013 café"


def test_cp1252_detected_even_when_the_odd_byte_is_far_down_the_file() -> None:
    lines = [f"{NHS_A},01/02/1980,plain" for _ in range(5000)] + [f"{NHS_B},01/02/1980,£"]
    data = ("NHS Number,DOB,Note\n" + "\n".join(lines) + "\n").encode("cp1252")

    layout, rows = read(data, max_rows=10_000)

    assert layout.encoding == "cp1252"
    assert rows[-1].cells == [NHS_B, "01/02/1980", "£"]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiters_are_sniffed(delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows(
        [["NHS Number", "Date of Birth", "Address"], [NHS_A, "01/02/1980", "1 High St, Leeds"]]
    )

    layout, rows = read(buffer.getvalue().encode())

    assert layout.delimiter == delimiter
    assert rows[0].cells == [NHS_A, "01/02/1980", "1 High St, Leeds"]


def test_quoted_commas_quotes_and_newlines() -> None:
    data = (
        b"NHS Number,DOB,Address,Note\r\n"
        b'9434765919,01/02/1980,"1 High St,\r\nLeeds","said ""hello"""\r\n'
        b'9434765870,02/03/1990,"2 Low Rd",\r\n'
    )

    layout, rows = read(data)

    assert layout.total_rows == 2
    assert rows[0].cells == [NHS_A, "01/02/1980", "1 High St,\r\nLeeds", 'said "hello"']
    assert rows[1].row_number == 2


def test_report_title_lines_and_blank_lines_above_the_header_are_skipped() -> None:
    data = (
        b"Patients due a flu vaccination\r\n"
        b"Run on 01/10/2026 by Practice Manager\r\n"
        b"\r\n"
        b"NHS Number,Date of Birth,Name\r\n"
        b"9434765919,01/02/1980,Ann\r\n"
    )

    layout, rows = read(data)

    assert layout.columns == ("NHS Number", "Date of Birth", "Name")
    assert [r.nhs_number for r in rows] == [NHS_A]


def test_a_title_line_with_commas_does_not_confuse_the_delimiter() -> None:
    data = b"Search: Flu, over 65s; run 01/10/2026\n\nNHS No;DOB\n9434765919;01/02/1980\n"

    layout, rows = read(data)

    assert layout.delimiter == ";"
    assert rows[0].cells == [NHS_A, "01/02/1980"]


def test_blank_lines_in_the_data_are_skipped_and_not_counted() -> None:
    data = b"NHS Number,DOB\n9434765919,01/02/1980\n\n,\n  ,  \n9434765870,02/03/1990\n\n"

    layout, rows = read(data)

    assert layout.total_rows == 2
    assert [(r.row_number, r.nhs_number) for r in rows] == [(1, NHS_A), (2, NHS_B)]


@pytest.mark.parametrize(
    ("nhs", "dob"),
    [
        ("NHS Number", "Date of Birth"),
        ("NHS number", "DOB"),
        ("NHSNumber", "Birth Date"),
        ("nhs_no", "Date of birth"),
        ("NHS No", "dob"),
        ("  NHS  No. ", "D.O.B."),
        ("NHS-NUMBER", "date_of_birth"),
    ],
)
def test_header_aliases(nhs: str, dob: str) -> None:
    data = f'Name,"{dob}",Phone,"{nhs}"\nAnn,01/02/1980,07700900123,{NHS_A}\n'.encode()

    layout, rows = read(data)

    assert (layout.nhs_number_column, layout.date_of_birth_column) == (3, 1)
    assert (rows[0].nhs_number, rows[0].date_of_birth) == (NHS_A, "01/02/1980")


@pytest.mark.parametrize(
    ("given", "family"),
    [
        ("Forename", "Surname"),
        ("First Name", "Family Name"),
        ("Given Name", "Last Name"),
        ("first_name", "SURNAME"),
    ],
)
def test_name_columns_are_recognised_and_kept(given: str, family: str) -> None:
    data = f"{family},NHS Number,{given},DOB\nSmith,{NHS_A},Ann,01/02/1980\n".encode()

    layout, rows = read(data)

    assert (layout.given_name_column, layout.family_name_column) == (2, 0)
    assert layout.recognised() == {
        "NHS number": "NHS Number",
        "date of birth": "DOB",
        "given name": given,
        "family name": family,
    }
    assert rows[0].cells == ["Smith", NHS_A, "Ann", "01/02/1980"]


def test_name_columns_are_optional() -> None:
    layout, _ = read(f"NHS Number,DOB\n{NHS_A},01/02/1980\n".encode())

    assert layout.recognised()["given name"] is None
    assert layout.recognised()["family name"] is None


def test_short_and_long_rows_are_kept_fitted_to_the_header() -> None:
    data = b"NHS Number,DOB,Name\n9434765919\n9434765870,02/03/1990,Bo,extra,cells\n"

    layout, rows = read(data)

    assert layout.total_rows == 2
    assert rows[0].cells == [NHS_A, "", ""]
    assert rows[0].date_of_birth == ""
    assert rows[1].cells == [NHS_B, "02/03/1990", "Bo"]


def test_cells_are_kept_as_written() -> None:
    _, rows = read(b"NHS Number,DOB\n 943 476 5919 , 1/2/80 \n")

    assert rows[0].nhs_number == " 943 476 5919 "
    assert rows[0].date_of_birth == " 1/2/80 "


def test_batches() -> None:
    data = b"NHS Number,DOB\n" + b"".join(b"%d,01/01/1990\n" % i for i in range(7))
    layout, rows = read(data)

    sizes = [len(b) for b in batched(rows, 3)]

    assert sizes == [3, 3, 1]
    assert layout.total_rows == 7


@pytest.mark.parametrize("data", [b"", b"\n\n\r\n", b"   \n", b",,,\n,,\n"])
def test_empty_files(data: bytes) -> None:
    assert isinstance(rejected(data), EmptyFile)


def test_header_without_rows() -> None:
    error = rejected(b"NHS Number,DOB,Name\n\n")

    assert isinstance(error, NoDataRows)
    assert error.details["columns_found"] == ["NHS Number", "DOB", "Name"]


def test_no_nhs_or_dob_column_lists_the_columns_found() -> None:
    error = rejected(b"Patient,Birthday\nAnn,01/02/1980\n")

    assert isinstance(error, MissingColumns)
    assert error.details == {
        "missing": ["NHS number", "date of birth"],
        "columns_found": ["Patient", "Birthday"],
    }
    assert "no NHS number or date of birth column" in error.message


def test_missing_date_of_birth_column_is_named() -> None:
    error = rejected(b"NHS Number;Name\n9434765919;Ann\n")

    assert isinstance(error, MissingColumns)
    assert error.details["missing"] == ["date of birth"]
    assert error.details["columns_found"] == ["NHS Number", "Name"]


def test_missing_nhs_number_column_is_named() -> None:
    error = rejected(b"Title\n\nName,DOB\nAnn,01/02/1980\n")

    assert isinstance(error, MissingColumns)
    assert error.details["missing"] == ["NHS number"]


def test_the_header_must_be_near_the_top() -> None:
    data = b"".join(b"title line %d\n" % i for i in range(30)) + b"NHS Number,DOB\n1,2\n"

    assert isinstance(rejected(data), MissingColumns)


def test_row_limit() -> None:
    data = b"NHS Number,DOB\n" + b"".join(b"%d,01/01/1990\n" % i for i in range(11))

    error = rejected(data, max_rows=10)

    assert isinstance(error, TooManyRows)
    assert error.details == {"max_rows": 10}
    assert "more than 10 patient rows" in error.message
    assert read(data, max_rows=11)[0].total_rows == 11


def test_row_limit_ignores_blank_lines() -> None:
    data = b"NHS Number,DOB\n" + b"1,01/01/1990\n\n\n" * 3

    assert read(data, max_rows=3)[0].total_rows == 3


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx is a zip
        "NHS Number,DOB\n1,2\n".encode("utf-16"),  # NUL bytes between the characters
        b"NHS Number,DOB\n" + b"1,01/01/1990\n" * 2000 + b"2,\x00\x00\n",  # NUL past the sample
        b"NHS Number,DOB\n\x81\x8d\x8f\x90\x9d,1\n",  # undefined in both encodings
    ],
    ids=["xlsx", "utf-16", "late-nul", "undecodable"],
)
def test_binary_files(data: bytes) -> None:
    error = rejected(data, max_rows=10_000)

    assert isinstance(error, NotText)
    assert "not a CSV text file" in error.message


def test_unclosed_quote_is_malformed_not_a_silent_merge() -> None:
    error = rejected(b'NHS Number,DOB,Note\n9434765919,01/02/1980,"unclosed\n9434765870,x,y\n')

    assert isinstance(error, MalformedCsv)
    assert error.details["line"] == 3
    assert "line 3" in error.message


def test_error_messages_never_quote_cells() -> None:
    secret = b"9434765919"
    cases = [
        b"Patient,Birthday\n" + secret + b",x\n",
        b"NHS Number,DOB\n" + secret + b',"x\n',
    ]
    for data in cases:
        error = rejected(data)
        assert "9434765919" not in error.message
        assert "9434765919" not in str(error.details)
