"""Why an uploaded file was refused as a whole. Messages are written for practice staff and never
quote a cell of the file (it may hold patient data); the header row is quoted, as it does not."""

Details = dict[str, str | int | list[str]]


class UploadRejected(Exception):
    """The file cannot be accepted; nothing of it may be registered or published."""

    code = "invalid_file"

    def __init__(self, message: str, details: Details | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: Details = details or {}


class UploadTooLarge(UploadRejected):
    """The file is over one of the size limits."""


class FileTooLarge(UploadTooLarge):
    code = "file_too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            f"The file is larger than the limit of {_size(limit_bytes)}. Split the list into "
            "smaller files and upload each one.",
            {"max_bytes": limit_bytes},
        )


class TooManyRows(UploadTooLarge):
    code = "too_many_rows"

    def __init__(self, limit_rows: int) -> None:
        super().__init__(
            f"The file has more than {limit_rows:,} patient rows, the most one upload can have. "
            "Split the list into smaller files and upload each one.",
            {"max_rows": limit_rows},
        )


class EmptyFile(UploadRejected):
    code = "empty_file"

    def __init__(self) -> None:
        super().__init__("The file is empty.")


class NoDataRows(UploadRejected):
    code = "no_data_rows"

    def __init__(self, columns: list[str]) -> None:
        super().__init__(
            "The file has a header row but no patient rows under it.", {"columns_found": columns}
        )


class SpreadsheetTooLarge(UploadTooLarge):
    code = "spreadsheet_too_large"

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(
            f"The workbook unpacks to more than the limit of {_size(limit_bytes)}. Save the "
            "sheet with the patient list as CSV and upload that, or split the list.",
            {"max_unpacked_bytes": limit_bytes},
        )


class NotText(UploadRejected):
    code = "not_a_csv_file"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The file is not a CSV text file (it looks like a binary file). Save it as "
            '"CSV UTF-8" or "CSV (comma delimited)", or as an Excel workbook (.xlsx), and upload '
            "that.",
            {"reason": reason},
        )


_UNSUPPORTED = {
    "xls": "The file is an Excel 97-2003 workbook (.xls), which cannot be read. Open it in "
    'Excel and save it as "Excel Workbook (.xlsx)" or as "CSV UTF-8", and upload that.',
    "encrypted": "The workbook is protected with a password, so it cannot be read. Remove the "
    "password (File > Info > Protect Workbook), save it, and upload it again.",
    "zip": "The file is a zip archive or an Office document, but not named .xlsx. Upload an "
    'Excel workbook as .xlsx, or save the list as "CSV UTF-8".',
}


class UnsupportedFile(UploadRejected):
    code = "unsupported_file"

    def __init__(self, reason: str) -> None:
        super().__init__(_UNSUPPORTED[reason], {"reason": reason})


class UnreadableSpreadsheet(UploadRejected):
    code = "unreadable_spreadsheet"

    def __init__(self, problem: str) -> None:
        # ``problem`` is an exception's class name, which never quotes the data.
        super().__init__(
            "The workbook could not be read: it is damaged or not really an Excel workbook. "
            'Open it in Excel and save it again as .xlsx, or save it as "CSV UTF-8".',
            {"problem": problem},
        )


class NoVisibleSheet(UploadRejected):
    code = "no_visible_sheet"

    def __init__(self) -> None:
        super().__init__(
            "The workbook has no visible sheet. Unhide the sheet with the patient list (the "
            "first visible sheet is read) and upload it again."
        )


class MalformedCsv(UploadRejected):
    code = "malformed_csv"

    def __init__(self, line: int, problem: str) -> None:
        # ``problem`` is the csv module's own text ("unexpected end of data"), which never quotes
        # the data.
        super().__init__(
            f"The file is not valid CSV at line {line}: {problem}. This is usually a quote mark "
            '(") that is opened but not closed.',
            {"line": line, "problem": problem},
        )


class MissingColumns(UploadRejected):
    code = "missing_columns"

    def __init__(self, missing: list[str], columns: list[str], expected: dict[str, str]) -> None:
        names = " or ".join(missing)
        self.missing = missing
        super().__init__(
            f"The file has no {names} column. The header row must name them, for example "
            + "; ".join(f'"{alias}"' for alias in expected.values())
            + ".",
            {"missing": missing, "columns_found": columns},
        )


def _size(limit_bytes: int) -> str:
    megabytes = limit_bytes / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:g} MB"
    return f"{limit_bytes:,} bytes"
