"""Sending: campaign → dispatch (``SendMessages``), dispatch → campaign (``MessagesSent``,
``DeliveryReported``), gateway → dispatch (``ProcessFiretextReceipt``)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from .envelope import Message, Model
from .vocabulary import Channel, SendReason


class OutboundMessage(Model):
    """A message rendered by campaign exactly as staff reviewed it."""

    recipient_id: str = Field(description="Opaque id; also the provider reference")
    to: str
    body: str
    subject: str | None = None


class SendMessages(Message):
    """Command: hand these rendered messages to the channel's provider, once each."""

    kind: Literal["SendMessages"] = "SendMessages"
    campaign_id: UUID
    channel: Channel
    batch_id: UUID
    messages: list[OutboundMessage]


SendStatus = Literal["sent", "delivered", "failed", "outcome_unknown", "not_claimed"]


class SendOutcome(Model):
    """``sent``: the provider accepted it (a receipt will follow); ``delivered``: final at
    acceptance (email); ``outcome_unknown``: the request may have reached the provider and must
    not be resent; ``not_claimed``: campaign refused the claim (cancelled or already taken)."""

    recipient_id: str
    status: SendStatus
    reason_code: SendReason | None = None
    reason: str | None = None
    provider_reference: str | None = None


class MessagesSent(Message):
    """Event: what happened to each message of one ``SendMessages`` batch (or part of it)."""

    kind: Literal["MessagesSent"] = "MessagesSent"
    campaign_id: UUID
    batch_id: UUID
    outcomes: list[SendOutcome]


class ProcessFiretextReceipt(Message):
    """Command: a Firetext delivery receipt as the gateway's webhook received it."""

    kind: Literal["ProcessFiretextReceipt"] = "ProcessFiretextReceipt"
    mobile: str
    status: str
    reference: str
    time: str | None = None
    code: str | None = None


DeliveryStatus = Literal["delivered", "failed", "pending"]


class DeliveryReported(Message):
    """Event: the provider's word on one message."""

    kind: Literal["DeliveryReported"] = "DeliveryReported"
    recipient_id: str
    status: DeliveryStatus
    reason_code: SendReason | None = None
    reason: str | None = None
    reported_at: datetime
