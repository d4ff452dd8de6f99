"""Reading uploaded patient lists, CSV or .xlsx (pure: no HTTP or broker)."""

from .csvfile import CsvLayout, DataRow, batched, inspect_csv, iter_rows
from .errors import UploadRejected, UploadTooLarge
from .prepare import FileFormat, FileLimits, PreparedUpload, prepare_upload

__all__ = [
    "CsvLayout",
    "DataRow",
    "FileFormat",
    "FileLimits",
    "PreparedUpload",
    "UploadRejected",
    "UploadTooLarge",
    "batched",
    "inspect_csv",
    "iter_rows",
    "prepare_upload",
]
