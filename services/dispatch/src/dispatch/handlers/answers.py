"""The envelope of an event that answers a webhook command (a receipt, a reply).

Its ``message_id`` is derived from the command's, so a redelivered command yields an identical
event, which campaign recognises: these handlers are idempotent by construction."""

import uuid
from datetime import UTC, datetime
from typing import TypedDict

from cohort_contracts.envelope import Message


class Answer(TypedDict):
    message_id: uuid.UUID
    correlation_id: uuid.UUID
    org_id: str
    occurred_at: datetime


def arrived_at(cmd: Message) -> datetime:
    """When the gateway took the webhook in; a naive time (an older gateway's) is UTC."""
    if cmd.occurred_at.tzinfo is None:
        return cmd.occurred_at.replace(tzinfo=UTC)
    return cmd.occurred_at


def answer(ids: uuid.UUID, cmd: Message, occurred_at: datetime) -> Answer:
    """``ids`` is the namespace of the event's kind, so two kinds answering one command differ."""
    return Answer(
        message_id=uuid.uuid5(ids, str(cmd.message_id)),
        correlation_id=cmd.correlation_id,
        org_id=cmd.org_id,
        occurred_at=occurred_at,
    )
