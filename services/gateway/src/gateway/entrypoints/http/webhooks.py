"""``/v1/webhooks/firetext/*``: Firetext's form POSTs, authenticated by a per-org token.

The receipt URL given to Firetext is ``.../receipts?org=<ODS>&token=<hex HMAC-SHA256(secret,
org)>``. The token is checked before the form is read, so a forged call costs nothing and
publishes nothing."""

import logging
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cohort_contracts.sending import FiretextReceiptWord
from cohort_http.body_limit import capped_receive, declared_over
from cohort_platform.group_commit import Overloaded
from cohort_platform.webhooks import token_is_valid

from ...domain.identity import ODS_CODE
from ...handlers.webhooks import accept_firetext_inbound, accept_firetext_receipt
from .errors import ApiError, error_responses
from .wiring import WiringDep

log = logging.getLogger("gateway.webhooks")

router = APIRouter(
    prefix="/v1/webhooks/firetext",
    tags=["webhooks"],
    responses=error_responses(400, 401, 403, 411, 413, 503),
)

F = TypeVar("F", bound=BaseModel)


#: Our references: a recipient id, or a group's ``g-`` and hex (dispatch's ``grouping``).
MAX_REFERENCE = 100
#: Group references are answered per number, so a group receipt without one matches nobody.
GROUP_PREFIX = "g-"


# The contract's word for a receipt with stricter fields, so it is handed on as it is.
class FiretextReceiptForm(FiretextReceiptWord):
    """A Firetext delivery receipt (reference/firetext.md §2). What dispatch could never read
    is refused here with a 400 rather than queued to be dropped there."""

    model_config = ConfigDict(str_strip_whitespace=True)

    mobile: str = Field(default="", max_length=32)
    status: Literal["0", "1", "2"] = Field(description="0 delivered, 1 undelivered, 2 pending")
    reference: str = Field(
        min_length=1,
        max_length=MAX_REFERENCE,
        pattern=r"^[\x21-\x7e]+$",
        description="Our reference sent with the message",
    )
    time: str | None = Field(default=None, max_length=64)
    code: str | None = Field(default=None, max_length=16)

    @model_validator(mode="after")
    def _group_receipt_names_its_number(self) -> "FiretextReceiptForm":
        if self.reference.startswith(GROUP_PREFIX) and not self.mobile:
            raise ValueError("a receipt for a group reference needs the mobile number")
        return self


class FiretextInboundForm(BaseModel):
    """A reply to one of our numbers (reference/firetext.md §4)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    # A reply from no number at all reaches nobody (dispatch would dead-letter it).
    source: str = Field(min_length=1, max_length=32)
    destination: str = Field(default="", max_length=32)
    message: str = ""
    time: str | None = Field(default=None, max_length=64)


class ReceiptAccepted(BaseModel):
    result: str = "success"


class InboundAccepted(BaseModel):
    status: str = "ok"


OrgParam = Annotated[str | None, Query(description="ODS code the URL was issued for")]
TokenParam = Annotated[str | None, Query(description="hex HMAC-SHA256 of org")]


def _form_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": schema}},
        }
    }


def _check_token(wiring: WiringDep, org: str | None, token: str | None) -> str:
    if not org or not token:
        raise ApiError(401, "unauthorized", "The webhook URL needs its org and token parameters.")
    secret = wiring.settings.webhook_secret.get_secret_value()
    if not ODS_CODE.match(org) or not token_is_valid(secret, org, token):
        raise ApiError(403, "forbidden", "The webhook token is not valid for this org.")
    return org


#: A receipt or a reply is a few hundred bytes (a reply's text at most 1,600 characters).
MAX_CALLBACK_BYTES = 16 * 1024


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"A callback may be at most {limit} bytes.")


async def _read_form(request: Request, model: type[F]) -> F:
    # Within the gateway's general cap (BodyLimit), a callback has a far smaller one.
    request = Request(
        request.scope,
        capped_receive(request.scope, request.receive, MAX_CALLBACK_BYTES, _too_large),
    )
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        # Parsed directly (Firetext posts url-encoded forms, one per message): the general form
        # parser costs several times as much.
        text = (await request.body()).decode(errors="replace")
        values = dict(parse_qsl(text, keep_blank_values=True))
    else:
        declared = request.headers.get("content-length", "")
        if not declared.isdigit():
            raise ApiError(411, "length_required", "Send the callback with a Content-Length.")
        # The form parser leaves a body of a type it does not know unread: refused all the same.
        if declared_over(request.scope, MAX_CALLBACK_BYTES):
            raise _too_large(MAX_CALLBACK_BYTES)
        form = await request.form()
        values = {key: value for key, value in form.items() if isinstance(value, str)}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        # A model-level check has no field of its own: it is named "body".
        fields = sorted(
            {".".join(str(p) for p in error["loc"]) or "body" for error in exc.errors()}
        )
        raise ApiError(
            400,
            "bad_request",
            "The callback is missing required fields or has unreadable ones: " + ", ".join(fields),
            {"fields": fields},
        ) from None


async def _callback(
    request: Request, wiring: WiringDep, org: str | None, token: str | None, model: type[F]
) -> tuple[str, F]:
    """The org a callback is for and its form, read only once the URL's token is checked."""
    org_id = _check_token(wiring, org, token)
    return org_id, await _read_form(request, model)


@router.post(
    "/receipts",
    response_model=ReceiptAccepted,
    summary="Firetext delivery receipt",
    description="Answers 200 only once the receipt is safely queued, so Firetext retries "
    "anything we could not take.",
    openapi_extra=_form_body(FiretextReceiptForm),
)
async def firetext_receipt(
    request: Request, wiring: WiringDep, org: OrgParam = None, token: TokenParam = None
) -> ReceiptAccepted:
    org_id, form = await _callback(request, wiring, org, token, FiretextReceiptForm)
    try:
        receipt = await accept_firetext_receipt(wiring.receipts, org_id, form)
    except Overloaded:
        raise ApiError(
            503, "unavailable", "Too many receipts are waiting to be queued; try again shortly."
        ) from None
    log.debug(
        "firetext receipt queued",
        extra={"org_id": org_id, "receipt_id": str(receipt.receipt_id)},
    )
    return ReceiptAccepted()


@router.post(
    "/inbound",
    response_model=InboundAccepted,
    summary="Firetext inbound reply",
    description="A patient's reply to one of our numbers. Answers 200 only once the reply is "
    "safely queued for dispatch, so Firetext retries anything we could not take.",
    openapi_extra=_form_body(FiretextInboundForm),
)
async def firetext_inbound(
    request: Request, wiring: WiringDep, org: OrgParam = None, token: TokenParam = None
) -> InboundAccepted:
    org_id, form = await _callback(request, wiring, org, token, FiretextInboundForm)
    command = await accept_firetext_inbound(
        wiring.publisher,
        org_id,
        source=form.source,
        destination=form.destination,
        message=form.message,
        time=form.time,
    )
    # Ids only: the reply's text and number are patient data.
    log.info(
        "firetext inbound reply queued",
        extra={"org_id": org_id, "message_id": str(command.message_id)},
    )
    return InboundAccepted()
