"""Reading a patient list saved as an Excel workbook (.xlsx).

The first visible sheet is streamed row by row (openpyxl's read-only mode) and written out as CSV
text, each cell as a person sees it in Excel: dates as dd/mm/yyyy, whole numbers without ".0" (so
an NHS number stored as a number keeps its 10 digits), booleans as TRUE/FALSE. The CSV reader then
validates that text exactly as it would an exported CSV, so both formats follow the same rules.
Blocking I/O: run in a worker thread."""

import csv
import io
import warnings
import zipfile
from collections.abc import Generator
from contextlib import closing
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from openpyxl import load_workbook  # type: ignore[import-untyped]

from .csvfile import HEADER_SEARCH_ROWS
from .errors import NoVisibleSheet, SpreadsheetTooLarge, TooManyRows, UnreadableSpreadsheet

#: Every .xlsx is a zip archive; its first local file header starts with these bytes.
ZIP_MAGIC = b"PK\x03\x04"
#: An OLE2 compound file: an Excel 97-2003 .xls, or an .xlsx encrypted with a password.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Excel shows at most 15 significant digits.
_NUMBER_FORMAT = ".15g"


def sheet_to_csv(
    workbook_file: IO[bytes], out: IO[bytes], *, max_rows: int, max_unpacked_bytes: int
) -> None:
    """Write the first visible sheet of ``workbook_file`` to ``out`` as UTF-8 CSV, or raise
    ``UploadRejected``. Blank rows are dropped (the CSV reader would skip them anyway)."""
    _check_unpacked_size(workbook_file, max_unpacked_bytes)
    # A file within the row limit has at most the limit's rows, a header and the title lines the
    # header search allows above it: stop converting as soon as there are more.
    most_records = max_rows + HEADER_SEARCH_ROWS
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        records = 0
        with closing(_sheet_rows(workbook_file)) as rows:
            for values in rows:
                cells = _trimmed([display(value) for value in values])
                if not any(cell.strip() for cell in cells):
                    continue
                records += 1
                if records > most_records:
                    raise TooManyRows(max_rows)
                writer.writerow(cells)
    finally:
        text.flush()
        text.detach()
    out.seek(0)


def display(value: object) -> str:
    """A cell's value as Excel would show it in a plain (General or date) format."""
    match value:
        case None:
            return ""
        case bool():
            return "TRUE" if value else "FALSE"
        case int():
            return str(value)
        case float():
            return format(value, _NUMBER_FORMAT)
        case datetime():
            shown = value.strftime("%d/%m/%Y")
            return shown if value.time() == time() else f"{shown} {value.strftime('%H:%M')}"
        case date():
            return value.strftime("%d/%m/%Y")
        case time():
            return value.strftime("%H:%M:%S" if value.second else "%H:%M")
        case timedelta():
            return str(value)
        case str():
            # XML cannot hold NUL, but a damaged file might; the CSV reader would call it binary.
            return value.replace("\x00", "")
    return str(value)


def _sheet_rows(workbook_file: IO[bytes]) -> Generator[tuple[Any, ...], None, None]:
    """The values of each row of the first visible sheet. Whatever openpyxl raises is the file's
    fault (a damaged or fake workbook), so it becomes ``UnreadableSpreadsheet``."""
    workbook_file.seek(0)
    try:
        # openpyxl warns about harmless oddities (unknown extensions, no default style).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(workbook_file, read_only=True, data_only=True)
    except Exception as exc:
        raise UnreadableSpreadsheet(type(exc).__name__) from None
    try:
        sheet = next((s for s in workbook.worksheets if s.sheet_state == "visible"), None)
        if sheet is None:
            raise NoVisibleSheet()
        # The stored dimension can be wrong (some writers leave "A1"), and read-only mode would
        # then silently cut the sheet short: read every row that is there instead.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise UnreadableSpreadsheet(type(exc).__name__) from None
            yield values
    finally:
        workbook.close()


def _check_unpacked_size(workbook_file: IO[bytes], limit: int) -> None:
    """A small zip can unpack to gigabytes of XML; refuse it before parsing any. Reads never go
    past an entry's declared size (zipfile stops there and fails the CRC check)."""
    workbook_file.seek(0)
    try:
        with zipfile.ZipFile(workbook_file) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise UnreadableSpreadsheet(type(exc).__name__) from None
    if unpacked > limit:
        raise SpreadsheetTooLarge(limit)


def _trimmed(cells: list[str]) -> list[str]:
    # Formatting can make read-only rows run on with empty cells past the data.
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]
