"""Requests to campaign, answered over RabbitMQ request/reply (gateway and dispatch are callers).

One queue carries every request; ``kind`` tells them apart. Each request is answered with an
``RpcReply`` whose ``result`` has the type named in ``REPLY_TYPES``."""

from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import Field

from .envelope import Message, Model
from .vocabulary import CampaignStatus, CampaignType, Channel, RecipientStatus

MAX_PAGE_SIZE = 500


class _Request(Message):
    actor: str = Field(description="Who asked: the user id from the token, or a service name")


class CreateCampaign(_Request):
    kind: Literal["CreateCampaign"] = "CreateCampaign"
    name: Annotated[str, Field(min_length=1, max_length=200)]
    type: CampaignType


class ListCampaigns(_Request):
    kind: Literal["ListCampaigns"] = "ListCampaigns"
    status: CampaignStatus | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class GetCampaign(_Request):
    kind: Literal["GetCampaign"] = "GetCampaign"
    campaign_id: UUID


class RegisterPatientList(_Request):
    """Sent by the gateway once a file has been read through and found sound, before its rows."""

    kind: Literal["RegisterPatientList"] = "RegisterPatientList"
    campaign_id: UUID
    list_id: UUID
    channel: Channel
    filename: str
    columns: list[str]
    total_rows: int = Field(ge=0)


class GetPatientList(_Request):
    kind: Literal["GetPatientList"] = "GetPatientList"
    campaign_id: UUID
    list_id: UUID


class GetUnsuccessfulRows(_Request):
    kind: Literal["GetUnsuccessfulRows"] = "GetUnsuccessfulRows"
    campaign_id: UUID
    list_id: UUID
    after_row: int = 0
    limit: int = Field(default=MAX_PAGE_SIZE, ge=1, le=5000)


class SetMessage(_Request):
    kind: Literal["SetMessage"] = "SetMessage"
    campaign_id: UUID
    body: Annotated[str, Field(min_length=1, max_length=10_000)]
    subject: Annotated[str, Field(max_length=200)] | None = None


class GetReview(_Request):
    kind: Literal["GetReview"] = "GetReview"
    campaign_id: UUID
    preview_count: int = Field(default=3, ge=0, le=20)


class SendCampaign(_Request):
    kind: Literal["SendCampaign"] = "SendCampaign"
    campaign_id: UUID
    confirm_recipient_count: int = Field(ge=0)


class CancelCampaign(_Request):
    kind: Literal["CancelCampaign"] = "CancelCampaign"
    campaign_id: UUID


class ListRecipients(_Request):
    kind: Literal["ListRecipients"] = "ListRecipients"
    campaign_id: UUID
    status: RecipientStatus | None = None
    page: int = Field(default=1, ge=1)
    page_size: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)


class ClaimMessages(_Request):
    """From dispatch, just before a provider call: move these recipients from ``queued`` to
    ``sending``. Only the ones returned may be sent; a redelivered batch claims nothing twice."""

    kind: Literal["ClaimMessages"] = "ClaimMessages"
    campaign_id: UUID
    recipient_ids: list[str] = Field(max_length=MAX_PAGE_SIZE)


CampaignRequest = Annotated[
    CreateCampaign
    | ListCampaigns
    | GetCampaign
    | RegisterPatientList
    | GetPatientList
    | GetUnsuccessfulRows
    | SetMessage
    | GetReview
    | SendCampaign
    | CancelCampaign
    | ListRecipients
    | ClaimMessages,
    Field(discriminator="kind"),
]

ErrorCode = Literal["not_found", "conflict", "invalid", "unavailable"]


class RpcError(Model):
    code: ErrorCode
    message: str
    details: dict[str, str | int | list[str]] = Field(default_factory=dict)


T = TypeVar("T")


class RpcReply(Model, Generic[T]):
    """Exactly one of ``result`` and ``error`` is set."""

    result: T | None = None
    error: RpcError | None = None
