"""Reading a patient list exported as CSV, in two passes over a seekable binary file.

``inspect_csv`` reads the whole file once and either describes it (encoding, delimiter, where the
header is, the columns, how many rows) or raises an ``UploadRejected``; ``iter_rows`` then reads it
again, row by row. Neither pass holds more than one row in memory, so memory does not grow with
the file. Blocking I/O: run both in a worker thread.

Both passes are on the upload's critical path (issue 13: 100,000 rows accepted within 2 s), so
the per-row work is kept to what the csv module must do: NUL bytes are looked for once in the
raw bytes, not line by line, and ``iter_rows`` repeats none of the checks ``inspect_csv`` made
on the same file."""

import csv
import io
from collections.abc import Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, NamedTuple, TextIO

from .errors import EmptyFile, MalformedCsv, MissingColumns, NoDataRows, NotText, TooManyRows
from .headers import DATE_OF_BIRTH, EXAMPLES, FAMILY_NAME, GIVEN_NAME, NHS_NUMBER, find_column

# Clinical-system exports are UTF-8 (often with Excel's BOM) or Windows-1252 (Excel's "CSV
# (comma delimited)" on a UK PC); anything that is neither is not a text file we can read.
ENCODINGS = ("utf-8-sig", "cp1252")
DELIMITERS = (",", ";", "\t")
SNIFF_CHARS = 8 * 1024
#: Bytes read at a time when looking for NUL bytes.
SCAN_BYTES = 32 * 1024
#: Non-blank rows searched for the header; report titles above it are a line or two.
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class CsvLayout:
    encoding: str
    delimiter: str
    #: Records the csv reader yields before the header (blank and title lines).
    records_before_header: int
    columns: tuple[str, ...]
    nhs_number_column: int
    date_of_birth_column: int
    total_rows: int
    given_name_column: int | None = None
    family_name_column: int | None = None

    def recognised(self) -> dict[str, str | None]:
        """How the header was understood: each column we look for, and the file's name for it."""
        indexes = {
            NHS_NUMBER: self.nhs_number_column,
            DATE_OF_BIRTH: self.date_of_birth_column,
            GIVEN_NAME: self.given_name_column,
            FAMILY_NAME: self.family_name_column,
        }
        return {role: None if i is None else self.columns[i] for role, i in indexes.items()}


class DataRow(NamedTuple):
    # A tuple rather than a frozen dataclass: one is made per row, and a tuple is about a
    # third of the cost (a frozen dataclass sets each field through object.__setattr__).
    row_number: int
    cells: list[str]
    nhs_number: str
    date_of_birth: str


@dataclass(frozen=True)
class _Header:
    index: int
    cells: list[str]
    nhs_number_column: int
    date_of_birth_column: int


def inspect_csv(
    file: IO[bytes], *, max_rows: int, encoding: str | None = None, delimiter: str | None = None
) -> CsvLayout:
    """Validate the whole file and describe it, or raise ``UploadRejected``. ``encoding`` and
    ``delimiter`` are for a file we wrote ourselves (a converted spreadsheet): no guessing."""
    _check_no_nul(file)
    for candidate in (encoding,) if encoding else ENCODINGS:
        try:
            return _inspect_as(file, candidate, max_rows, delimiter)
        except UnicodeDecodeError:
            continue
    raise NotText("undecodable")


def iter_rows(file: IO[bytes], layout: CsvLayout) -> Iterator[DataRow]:
    """The data rows of a file ``inspect_csv`` accepted, each fitted to the header's width.
    ``inspect_csv`` has read this same file through with these settings, so it is text and
    sound CSV: the reader is the csv module's alone."""
    width = len(layout.columns)
    nhs, dob = layout.nhs_number_column, layout.date_of_birth_column
    with _text(file, layout.encoding) as text:
        records = csv.reader(text, delimiter=layout.delimiter, strict=True)
        for _ in range(layout.records_before_header + 1):
            next(records)
        row_number = 0
        for record in records:
            if _is_blank(record):
                continue
            row_number += 1
            cells = record if len(record) == width else _fit(record, width)
            yield DataRow(row_number, cells, cells[nhs], cells[dob])


def batched(rows: Iterable[DataRow], size: int) -> Generator[list[DataRow], None, None]:
    batch: list[DataRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _inspect_as(file: IO[bytes], encoding: str, max_rows: int, delimiter: str | None) -> CsvLayout:
    with _text(file, encoding) as text:
        sample = text.read(SNIFF_CHARS)
    if not sample.strip():
        raise EmptyFile()
    failure: Exception | None = None
    for candidate in (delimiter,) if delimiter else _delimiters_to_try(sample):
        with _text(file, encoding) as text:
            records = _records(text, candidate)
            try:
                header = _find_header(records)
            except (MalformedCsv, MissingColumns) as exc:
                # A wrong delimiter can make sound quoting look broken, or hide the columns.
                failure = _more_telling(failure, exc)
                continue
            total = _count_rows(records, max_rows)
        if total == 0:
            raise NoDataRows(_column_names(header.cells))
        return CsvLayout(
            encoding=encoding,
            delimiter=candidate,
            records_before_header=header.index,
            columns=tuple(_column_names(header.cells)),
            nhs_number_column=header.nhs_number_column,
            date_of_birth_column=header.date_of_birth_column,
            total_rows=total,
            given_name_column=find_column(header.cells, GIVEN_NAME),
            family_name_column=find_column(header.cells, FAMILY_NAME),
        )
    assert failure is not None
    raise failure


def _more_telling(kept: Exception | None, new: Exception) -> Exception:
    """The sniffed delimiter's failure, unless another delimiter found the header row and only
    one of the two columns is missing: that names the real problem."""
    if kept is None:
        return new
    if _names_header(new) and not _names_header(kept):
        return new
    return kept


def _names_header(failure: Exception) -> bool:
    return isinstance(failure, MissingColumns) and len(failure.missing) == 1


def _delimiters_to_try(sample: str) -> list[str]:
    # Sniff on whole lines only; a cut-off last line can mislead it.
    cut = sample.rfind("\n")
    try:
        sniffed = csv.Sniffer().sniff(sample[:cut] if cut > 0 else sample, "".join(DELIMITERS))
        first = [sniffed.delimiter]
    except csv.Error:
        first = []
    return first + [d for d in DELIMITERS if d not in first]


def _find_header(records: Iterator[list[str]]) -> _Header:
    first_row: list[str] | None = None
    seen = 0
    for index, record in enumerate(records):
        if _is_blank(record):
            continue
        first_row = first_row if first_row is not None else record
        nhs = find_column(record, NHS_NUMBER)
        dob = find_column(record, DATE_OF_BIRTH)
        if nhs is not None and dob is not None:
            return _Header(index, record, nhs, dob)
        if nhs is not None or dob is not None:
            # The row that names one of them is the header; the other column is missing.
            missing = [DATE_OF_BIRTH] if nhs is not None else [NHS_NUMBER]
            raise MissingColumns(missing, _column_names(record), _examples(missing))
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first_row is None:
        raise EmptyFile()
    missing = [NHS_NUMBER, DATE_OF_BIRTH]
    raise MissingColumns(missing, _column_names(first_row), _examples(missing))


def _count_rows(records: Iterator[list[str]], max_rows: int) -> int:
    total = 0
    for record in records:
        if _is_blank(record):
            continue
        total += 1
        if total > max_rows:
            raise TooManyRows(max_rows)
    return total


def _records(text: TextIO, delimiter: str) -> Iterator[list[str]]:
    # strict: an unclosed quote is an error, not a silent merge of the rest of the file into
    # one cell (which would lose rows without anyone noticing).
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as exc:
        raise MalformedCsv(reader.line_num, str(exc)) from None


def _check_no_nul(file: IO[bytes]) -> None:
    """A NUL byte anywhere means a binary file (or UTF-16, NUL between the characters). In both
    encodings we read, a NUL character is exactly a NUL byte, so the raw bytes tell."""
    file.seek(0)
    while chunk := file.read(SCAN_BYTES):
        if b"\x00" in chunk:
            raise NotText("binary")


@contextmanager
def _text(file: IO[bytes], encoding: str) -> Iterator[TextIO]:
    file.seek(0)
    # newline="": the csv module handles line endings itself, including inside quoted cells.
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        yield text
    finally:
        text.detach()  # leave the caller's file open


def _is_blank(record: list[str]) -> bool:
    # ``not any(cell.strip() ...)`` without a generator per row (the first cell usually
    # decides), which is what SIM110 would bring back.
    for cell in record:  # noqa: SIM110
        if cell and not cell.isspace():
            return False
    return True


def _fit(record: list[str], width: int) -> list[str]:
    if len(record) >= width:
        return record[:width]
    return record + [""] * (width - len(record))


def _column_names(cells: list[str]) -> list[str]:
    return [cell.strip() for cell in cells]


def _examples(missing: list[str]) -> dict[str, str]:
    return {column: EXAMPLES[column] for column in missing}
