"""Test data builders: valid by default, anything overridable (Notify's ``tests/app/db.py``)."""

import uuid
from typing import Any

from cohort_contracts.dispatch_requests import GetCredit
from cohort_contracts.sending import (
    OutboundMessage,
    ProcessFiretextInbound,
    ProcessFiretextReceipt,
    SendMessages,
)
from cohort_contracts.vocabulary import Channel

ORG = "A81001"


def make_outbound(recipient_id: str | None = None, **overrides: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "recipient_id": recipient_id or f"r-{uuid.uuid4().hex[:12]}",
        "to": "447700900123",
        "body": "Hello Ann, your flu jab is due. Book at your practice.",
    }
    fields.update(overrides)
    return OutboundMessage(**fields)


def mobile(i: int) -> str:
    """A distinct UK mobile per ``i``, in the Ofcom drama range, as campaign stores it."""
    return f"4477009{i:05d}"


def make_sms_batch(bodies: list[str], **overrides: Any) -> SendMessages:
    """One message per body, each to its own number: ``r0000`` to ``mobile(0)``..."""
    messages = [make_outbound(f"r{i:04d}", to=mobile(i), body=b) for i, b in enumerate(bodies)]
    return make_send_messages(messages=messages, **overrides)


def make_send_messages(
    count: int = 3,
    *,
    channel: Channel = "sms",
    messages: list[OutboundMessage] | None = None,
    **overrides: Any,
) -> SendMessages:
    if messages is None:
        to = "ann@example.org" if channel == "email" else "447700900123"
        subject = "Flu clinic" if channel == "email" else None
        messages = [make_outbound(f"r{i:04d}", to=to, subject=subject) for i in range(count)]
    fields: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": ORG,
        "campaign_id": uuid.uuid4(),
        "channel": channel,
        "batch_id": uuid.uuid4(),
        "messages": messages,
    }
    fields.update(overrides)
    return SendMessages(**fields)


def make_inbound(**overrides: Any) -> ProcessFiretextInbound:
    fields: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": ORG,
        "source": "07700900123",
        "destination": "447000000001",
        "message": "Yes please, Tuesday is fine",
        "time": "2026-07-10 15:17:00",
    }
    fields.update(overrides)
    return ProcessFiretextInbound(**fields)


def make_receipt(**overrides: Any) -> ProcessFiretextReceipt:
    fields: dict[str, Any] = {
        "correlation_id": uuid.uuid4(),
        "org_id": ORG,
        "mobile": "447700900123",
        "status": "0",
        "reference": "r0001",
        "time": "2016-07-10 15:17:00",
        "code": None,
    }
    fields.update(overrides)
    return ProcessFiretextReceipt(**fields)


def make_get_credit() -> GetCredit:
    """Campaign asking for ``ORG``'s balance."""
    return GetCredit(correlation_id=uuid.uuid4(), org_id=ORG, actor="campaign")
