"""Downloads (CSV, and files saved as they are): how routes answer with one and document it."""

from collections.abc import AsyncIterator
from typing import Any

from fastapi.responses import StreamingResponse

from .errors import error_responses


def attachment(filename: str) -> dict[str, str]:
    """The header that has a browser save the answer as ``filename``."""
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_download(chunks: AsyncIterator[str], filename: str) -> StreamingResponse:
    """``chunks`` streamed as an attachment named ``filename``."""
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers=attachment(filename),
    )


def csv_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses``: the CSV, and the given error statuses."""
    return {
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
        **error_responses(*statuses),
    }
