"""One error shape for every failure: ``{"error": {"code", "message", "details"}}``.

Error bodies may repeat field names and limits, never a submitted value; and nothing here logs
more than the error's type (request bodies can hold patient data)."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ...domain.uploads import UploadRejected, UploadTooLarge
from ...handlers.patient_lists import RowsNotQueued
from ...ports import CampaignError, CampaignUnavailable, ErrorDetails, PublishFailed

log = logging.getLogger("gateway.http")


class ErrorInfo(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str = Field(description="For people: what went wrong and what to do")
    details: ErrorDetails = Field(default_factory=dict)


class ErrorBody(BaseModel):
    error: ErrorInfo


class ApiError(Exception):
    """An error the gateway itself answers with (authentication, webhook checks...), and what
    ``handle_error`` makes of every other failure."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: ErrorDetails | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = dict(headers or {})

    def response(self) -> JSONResponse:
        info = ErrorInfo(code=self.code, message=self.message, details=self.details)
        return JSONResponse(
            ErrorBody(error=info).model_dump(mode="json"),
            status_code=self.status,
            headers=self.headers,
        )


CAMPAIGN_STATUS = {
    "not_found": 404,
    "conflict": 409,
    "invalid": 422,
    "unavailable": 503,
    "gone": 410,
    "forbidden": 403,
    "too_many_requests": 429,
    "locked": 423,
}

ERROR_DESCRIPTIONS = {
    400: "Bad request",
    401: "Missing, expired or invalid bearer token",
    403: "Not allowed",
    404: "Not found, or belongs to another organisation",
    409: "Conflicts with the campaign's current state",
    410: "No longer available (e.g. an expired link)",
    411: "The request must say how long it is (Content-Length)",
    413: "Over a size limit",
    422: "Invalid input; `details` names the fields",
    423: "Locked (a patient's link, after too many wrong answers)",
    429: "Too many requests; wait for `Retry-After` seconds",
    503: "A service behind the gateway did not answer; try again",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {s: {"model": ErrorBody, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    return _as_api_error(request, exc).response()


def _as_api_error(request: Request, exc: Exception) -> ApiError:
    match exc:
        case ApiError():
            return exc
        case CampaignError():
            headers = None
            if exc.code == "too_many_requests":
                headers = {"Retry-After": str(exc.details.get("retry_after_s", 1))}
            return ApiError(CAMPAIGN_STATUS[exc.code], exc.code, exc.message, exc.details, headers)
        case CampaignUnavailable():
            return _unavailable("The campaign service did not answer in time. Try again shortly.")
        case RowsNotQueued():
            return _unavailable(
                # Uploading it again alone would not help: the list already registered keeps
                # waiting for the rows that never went, and holds the send, until it is removed.
                "The list was registered but not all of its rows could be queued for checking, "
                "so this campaign cannot be sent with it. Remove the list (DELETE "
                f"/v1/campaigns/{exc.campaign_id}/patient-lists/{exc.list_id}) and upload the "
                "file again.",
                {"list_id": str(exc.list_id)},
            )
        case PublishFailed():
            return _unavailable("The message broker did not accept the request. Try again.")
        case UploadRejected():
            status = 413 if isinstance(exc, UploadTooLarge) else 422
            return ApiError(status, exc.code, exc.message, exc.details)
        case RequestValidationError():
            return _validation_error(exc.errors())
        case StarletteHTTPException():
            return ApiError(
                exc.status_code, _http_code(exc.status_code), str(exc.detail), headers=exc.headers
            )
    log.error("unhandled error", extra={"error": type(exc).__name__, "path": request.url.path})
    return ApiError(500, "internal", "Something went wrong on our side.")


def install_error_handlers(app: FastAPI) -> None:
    for kind in (
        ApiError,
        CampaignError,
        CampaignUnavailable,
        RowsNotQueued,
        PublishFailed,
        UploadRejected,
        RequestValidationError,
        StarletteHTTPException,
        Exception,
    ):
        app.add_exception_handler(kind, handle_error)


def _unavailable(message: str, details: ErrorDetails | None = None) -> ApiError:
    return ApiError(503, "unavailable", message, details, {"Retry-After": "5"})


def _validation_error(errors: Sequence[Any]) -> ApiError:
    fields: list[str] = []
    problems: list[str] = []
    for error in errors:
        field = ".".join(str(part) for part in error.get("loc", ()))
        if error.get("type") == "json_invalid":
            field, message = "body", "is not valid JSON"
        else:
            # pydantic's message, never its "input": that is the submitted value.
            message = str(error.get("msg", "is invalid"))
        if field not in fields:
            fields.append(field)
        problems.append(f"{field}: {message}")
    return ApiError(
        422,
        "invalid",
        "The request is not valid: " + "; ".join(problems),
        {"fields": fields, "errors": problems},
    )


def _http_code(status: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        410: "gone",
        411: "length_required",
        413: "too_large",
        415: "unsupported_media_type",
    }.get(status, "http_error")
