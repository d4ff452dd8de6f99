"""An uploaded file, whatever its format, made ready to be read as a CSV patient list.

The format is told by content, not by name alone: a workbook must both be a zip archive and be
named .xlsx (a zip called .csv, an old .xls or a password-protected workbook gets a message
saying what to do instead); anything else is read as CSV text."""

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Literal

from .csvfile import CsvLayout, DataRow, inspect_csv, iter_rows
from .errors import UnsupportedFile
from .spreadsheet import OLE2_MAGIC, ZIP_MAGIC, sheet_to_csv

FileFormat = Literal["csv", "xlsx"]
#: Converted sheets are held in memory up to this size, then on disk.
SPOOL_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileLimits:
    max_rows: int
    max_unpacked_bytes: int


@dataclass
class PreparedUpload:
    """A file that passed validation as a whole; ``rows()`` reads it again, row by row."""

    file: IO[bytes]
    layout: CsvLayout
    format: FileFormat
    _owned: IO[bytes] | None = field(default=None, repr=False)

    def rows(self) -> Iterator[DataRow]:
        return iter_rows(self.file, self.layout)

    def close(self) -> None:
        if self._owned is not None:
            self._owned.close()


def detect_format(head: bytes, filename: str) -> FileFormat:
    """Raises ``UnsupportedFile`` for a file we recognise but cannot read."""
    is_xlsx_name = filename.lower().endswith(".xlsx")
    if head.startswith(ZIP_MAGIC):
        if is_xlsx_name:
            return "xlsx"
        raise UnsupportedFile("zip")
    if head.startswith(OLE2_MAGIC):
        raise UnsupportedFile("encrypted" if is_xlsx_name else "xls")
    return "csv"


def prepare_upload(file: IO[bytes], filename: str, limits: FileLimits) -> PreparedUpload:
    """Validate the whole file, or raise ``UploadRejected``. Blocking: run in a worker thread.
    The caller must ``close()`` what is returned (a converted workbook is a temporary file)."""
    file.seek(0)
    kind = detect_format(file.read(len(OLE2_MAGIC)), filename)
    if kind == "csv":
        return PreparedUpload(file, inspect_csv(file, max_rows=limits.max_rows), "csv")
    converted = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - returned
    try:
        sheet_to_csv(
            file,
            converted,
            max_rows=limits.max_rows,
            max_unpacked_bytes=limits.max_unpacked_bytes,
        )
        layout = inspect_csv(converted, max_rows=limits.max_rows, encoding="utf-8", delimiter=",")
    except BaseException:
        converted.close()
        raise
    return PreparedUpload(converted, layout, "xlsx", converted)
