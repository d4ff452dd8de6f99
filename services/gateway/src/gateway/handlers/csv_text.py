"""CSV downloads as Excel opens them: UTF-8 with a byte-order mark, RFC 4180 quoting."""

import csv
import io

# Excel reads a UTF-8 CSV as Windows-1252 unless it starts with a byte-order mark.
BOM = "\ufeff"
# Excel runs a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def encode_rows(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    # QUOTE_MINIMAL quotes cells with commas, quotes or newlines; \r\n as RFC 4180 and Excel.
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def as_text(value: str) -> str:
    """Text we did not write ourselves (a patient's reply, a cell of an uploaded list, a
    contact from PDS), defused so that Excel shows it instead of running it as a formula: a
    leading apostrophe, as OWASP's "CSV injection" advice has it."""
    return "'" + value if value.startswith(_FORMULA_START) else value
