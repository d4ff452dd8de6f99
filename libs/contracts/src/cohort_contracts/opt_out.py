"""Opt-outs: each organisation's list of numbers and addresses that asked not to be messaged
(a STOP reply, an email's unsubscribe link, or staff), the requests the gateway makes to read
and change it, and the views campaign answers with."""

from typing import Annotated, Literal

from pydantic import Field

from .envelope import Message, Model, Request, UtcDateTime

SuppressionSource = Literal["reply", "email_link", "staff"]
#: The largest opt-out list one request returns (a practice's list is far shorter).
MAX_SUPPRESSIONS = 5000


class ListSuppressions(Request):
    """The active opt-outs of every organisation the caller may read, newest first."""

    kind: Literal["ListSuppressions"] = "ListSuppressions"
    limit: int = Field(default=1000, ge=1, le=MAX_SUPPRESSIONS)


class AddSuppression(Request):
    """Staff add a UK mobile number or an email address to ``org_id``'s opt-out list."""

    kind: Literal["AddSuppression"] = "AddSuppression"
    contact: Annotated[str, Field(min_length=1, max_length=320)]


class RemoveSuppression(Request):
    kind: Literal["RemoveSuppression"] = "RemoveSuppression"
    suppression_id: Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class Unsubscribe(Request):
    """From the public one-click unsubscribe endpoint (RFC 8058): the token in the email's
    ``List-Unsubscribe`` header and link. ``org_id`` is the token's own organisation."""

    kind: Literal["Unsubscribe"] = "Unsubscribe"
    token: Annotated[str, Field(min_length=10, max_length=200)]


class SuppressionEvent(Model):
    action: Literal["added", "removed"]
    source: SuppressionSource
    by: str = Field(description="A user id, or `patient`")
    at: UtcDateTime


class SuppressionView(Model):
    id: str
    org_id: str
    contact: str = Field(description="E.164 digits (`447700900123`) or an email address")
    source: SuppressionSource
    active: bool
    created_at: UtcDateTime
    updated_at: UtcDateTime
    history: list[SuppressionEvent]


class SuppressionList(Model):
    items: list[SuppressionView]


class UnsubscribeResult(Model):
    """No patient data: the practice's name for the confirmation page."""

    practice_name: str


OPT_OUT_REPLY_TYPES: dict[type[Message], type[Model]] = {
    ListSuppressions: SuppressionList,
    AddSuppression: SuppressionView,
    RemoveSuppression: SuppressionView,
    Unsubscribe: UnsubscribeResult,
}
