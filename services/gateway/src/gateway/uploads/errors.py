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


class NotText(UploadRejected):
    code = "not_a_csv_file"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "The file is not a CSV text file (it looks like a spreadsheet or another binary "
            'file). Save it as "CSV (comma delimited)" or "CSV UTF-8" and upload that.',
            {"reason": reason},
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
