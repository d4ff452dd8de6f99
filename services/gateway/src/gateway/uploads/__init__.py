"""Reading uploaded patient lists (pure: stdlib only, no HTTP or broker)."""

from .csvfile import CsvLayout, DataRow, batched, inspect_csv, iter_rows
from .errors import UploadRejected, UploadTooLarge

__all__ = [
    "CsvLayout",
    "DataRow",
    "UploadRejected",
    "UploadTooLarge",
    "batched",
    "inspect_csv",
    "iter_rows",
]
