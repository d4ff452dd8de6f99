"""Sending: campaign → dispatch (``SendMessages``), dispatch → campaign (``MessagesSent``,
``DeliveriesReported``), gateway → dispatch (``ProcessFiretextReceipts``).

Receipts travel in batches: at a thousand messages a second, one broker message per receipt
would cost more than everything else on the path (reference/limits.md: about 2 ms of CPU per
hop and message). The single-receipt messages stay valid so that a deployment can be upgraded
one service at a time."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Discriminator, Field

from .envelope import Message, Model, UtcDateTime
from .vocabulary import Channel, SendReason


class OutboundMessage(Model):
    """A message rendered by campaign exactly as staff reviewed it."""

    recipient_id: str = Field(description="Opaque id; also the provider reference")
    to: str
    body: str
    subject: str | None = None
    #: Email only: the one-click unsubscribe URL (RFC 8058) for ``List-Unsubscribe``.
    unsubscribe_url: str | None = None


class SendMessages(Message):
    """Command: hand these rendered messages to the channel's provider, once each.

    ``test``: a test send to the requesting user's own number or address; it is not a
    recipient of the campaign, so it is sent without a claim and its outcome is not recorded.

    ``notification``: a message to a recipient about something they did through their link
    (an appointment booked or cancelled). It is not the campaign's message: it is sent without a
    claim (the recipient's message was sent long before) and its outcome is logged only."""

    kind: Literal["SendMessages"] = "SendMessages"
    campaign_id: UUID
    channel: Channel
    batch_id: UUID
    messages: list[OutboundMessage]
    test: bool = False
    notification: bool = False


SendStatus = Literal["sent", "delivered", "failed", "outcome_unknown", "not_claimed", "returned"]


class SendOutcome(Model):
    """``sent``: the provider accepted it (a receipt will follow); ``delivered``: final at
    acceptance (email); ``outcome_unknown``: the request may have reached the provider and must
    not be resent; ``not_claimed``: campaign refused the claim (cancelled, paused or already
    taken); ``returned``: claimed but certainly not sent because sending is blocked (see
    ``MessagesSent.blocked``), so it may be released again when the campaign resumes."""

    recipient_id: str
    status: SendStatus
    reason_code: SendReason | None = None
    reason: str | None = None
    provider_reference: str | None = None


class SendingBlocked(Model):
    """A problem no retry will fix for any recipient (provider configuration, no credit): the
    campaign must pause instead of failing every remaining patient."""

    reason_code: SendReason
    reason: str


class MessagesSent(Message):
    """Event: what happened to each message of one ``SendMessages`` batch (or part of it)."""

    kind: Literal["MessagesSent"] = "MessagesSent"
    campaign_id: UUID
    batch_id: UUID
    outcomes: list[SendOutcome]
    blocked: SendingBlocked | None = None


class FiretextReceiptWord(Model):
    """What Firetext says in a delivery receipt, as the gateway's webhook received it: the
    single receipt command and each receipt of a batch carry it."""

    mobile: str
    status: str
    reference: str
    time: str | None = None
    code: str | None = None


class ProcessFiretextReceipt(Message, FiretextReceiptWord):
    """Command: a Firetext delivery receipt as the gateway's webhook received it."""

    kind: Literal["ProcessFiretextReceipt"] = "ProcessFiretextReceipt"


#: Receipts per batch message; the gateway flushes sooner (see its receipt batcher).
MAX_RECEIPTS_PER_BATCH = 500


class FiretextReceipt(FiretextReceiptWord):
    """One Firetext delivery receipt as the gateway's webhook received it."""

    receipt_id: UUID = Field(description="Names the receipt, so its report is recognisable")
    received_at: UtcDateTime


class ProcessFiretextReceipts(Message):
    """Command: Firetext receipts for one organisation, received together."""

    kind: Literal["ProcessFiretextReceipts"] = "ProcessFiretextReceipts"
    receipts: list[FiretextReceipt] = Field(min_length=1, max_length=MAX_RECEIPTS_PER_BATCH)


DeliveryStatus = Literal["delivered", "failed", "pending"]


class DeliveryWord(Model):
    """The provider's word on one message: what the single event (``DeliveryReported``, which
    says how it is matched) and each report of a batch carry."""

    recipient_id: str | None = None
    provider_reference: str | None = None
    mobile: str | None = None
    status: DeliveryStatus
    reason_code: SendReason | None = None
    reason: str | None = None
    permanent: bool | None = Field(
        default=None,
        description="For a failure: whether another try would fail the same way (True: a "
        "landline, say) or may get past it (False: the phone could not take a text at the "
        "time). None when not said: not a failure, or from a dispatch older than this field. "
        "One reason code can be either (``SMS_NOT_SUPPORTED``), so this is what tells them "
        "apart.",
    )
    reported_at: UtcDateTime


class DeliveryReported(Message, DeliveryWord):
    """Event: the provider's word on one message. A message sent alone carries its recipient id
    as the provider reference; several recipients sent in one request share a reference, and
    their receipts are told apart by number: then ``recipient_id`` is None and campaign matches
    ``provider_reference`` and ``mobile``."""

    kind: Literal["DeliveryReported"] = "DeliveryReported"


class DeliveryReport(DeliveryWord):
    """The provider's word on one message (see ``DeliveryReported`` for how it is matched)."""

    receipt_id: UUID


class DeliveriesReported(Message):
    """Event: the provider's word on several messages of one organisation."""

    kind: Literal["DeliveriesReported"] = "DeliveriesReported"
    reports: list[DeliveryReport] = Field(min_length=1, max_length=MAX_RECEIPTS_PER_BATCH)


#: What the receipt queue carries: batches, and single receipts from an older gateway.
FiretextReceiptCommand = Annotated[
    ProcessFiretextReceipt | ProcessFiretextReceipts, Discriminator("kind")
]
#: What the delivery-report queue carries: batches, and single reports from an older dispatch.
DeliveryEvent = Annotated[DeliveryReported | DeliveriesReported, Discriminator("kind")]


class ProcessFiretextInbound(Message):
    """Command: a reply a patient texted to the practice's Firetext number, as received."""

    kind: Literal["ProcessFiretextInbound"] = "ProcessFiretextInbound"
    source: str
    destination: str
    message: str
    time: str | None = None


class ReplyReceived(Message):
    """Event: a patient's reply, with their number normalised as we store it (``447…``)."""

    kind: Literal["ReplyReceived"] = "ReplyReceived"
    from_number: str
    destination: str
    message: str
    received_at: UtcDateTime


class RecordEntryRequested(Message):
    """Event for the record service: save this message to the patient's record. Published once
    per recipient, and only when the message was delivered (an email: accepted by the relay).

    ``family_name`` and ``birth_date`` are the patient's as PDS gave them at upload: GP Connect
    Send Document is addressed by NHS number, date of birth and surname (reference/record.md
    §4). Both are optional so that events published before they existed still validate; an
    entry without them cannot be addressed and is reported not saved, with that reason.
    ``subject`` is the email's subject (None for an SMS)."""

    kind: Literal["RecordEntryRequested"] = "RecordEntryRequested"
    nhs_number: str
    campaign_id: UUID
    recipient_id: str
    channel: Channel
    message_text: str
    delivered_at: UtcDateTime
    family_name: str | None = None
    birth_date: date | None = None
    subject: str | None = None


#: Record entries per batch message.
MAX_RECORD_ENTRIES_PER_BATCH = 100


class RecordEntriesRequested(Message):
    """Event: several ``RecordEntryRequested`` of one organisation, published together (one
    broker message each would cost the outbox more than recording the deliveries did). Each
    entry keeps its own ``message_id``, derived from its recipient: that is what a consumer
    recognises a repeat by."""

    kind: Literal["RecordEntriesRequested"] = "RecordEntriesRequested"
    entries: list[RecordEntryRequested] = Field(
        min_length=1, max_length=MAX_RECORD_ENTRIES_PER_BATCH
    )


#: What the save-to-record queue carries: batches, and single entries from an older campaign.
RecordEntryEvent = Annotated[RecordEntryRequested | RecordEntriesRequested, Discriminator("kind")]
