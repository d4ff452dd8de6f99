"""``ProcessFiretextReceipt`` → ``DeliveryReported``.

A receipt's ``reference`` is the one the request carried: a recipient id for a request to one
number, or a shared ``g-…`` reference for a group of identical texts, whose receipts campaign
tells apart by number (``provider_reference`` + ``mobile``, in the ``447…`` form it stores).

Idempotent by construction: the event is a pure function of the command, down to its
``message_id`` (derived from the command's) and ``occurred_at`` (when the receipt reached the
gateway), so a redelivered receipt yields an identical event that campaign recognises."""

import logging
import uuid
from datetime import UTC

from cohort_contracts.routing import DELIVERY_REPORTED
from cohort_contracts.sending import DeliveryReported, ProcessFiretextReceipt
from cohort_platform.redelivery import PermanentError

from ..domain.grouping import is_group_reference
from ..domain.numbers import international_digits
from ..domain.receipts import UnknownReceiptStatus, interpret_receipt
from ..ports import EventPublisher

log = logging.getLogger("dispatch.receipts")

_EVENT_IDS = uuid.UUID("5b0f8c1e-3d44-4a57-9a43-2f7d6c0b9e21")


async def process_firetext_receipt(cmd: ProcessFiretextReceipt, events: EventPublisher) -> None:
    ids = {"message_id": str(cmd.message_id), "org_id": cmd.org_id}
    reference = cmd.reference.strip()
    if not reference:
        log.error("firetext receipt without a reference", extra=ids)
        raise PermanentError("receipt without reference")
    mobile = international_digits(cmd.mobile) or cmd.mobile.strip() or None
    grouped = is_group_reference(reference)
    if grouped and mobile is None:
        log.error("group receipt without a number", extra=ids)
        raise PermanentError("group receipt without mobile")
    received_at = cmd.occurred_at
    if received_at.tzinfo is None:
        received_at = received_at.replace(tzinfo=UTC)
    try:
        receipt = interpret_receipt(cmd.status, cmd.code, cmd.time, received_at=received_at)
    except UnknownReceiptStatus as exc:
        log.error("firetext receipt with an unknown status", extra=ids)
        raise PermanentError(str(exc)) from exc
    failure = receipt.failure
    await events.publish(
        DELIVERY_REPORTED,
        DeliveryReported(
            message_id=uuid.uuid5(_EVENT_IDS, str(cmd.message_id)),
            correlation_id=cmd.correlation_id,
            org_id=cmd.org_id,
            occurred_at=received_at,
            recipient_id=None if grouped else reference,
            provider_reference=reference,
            mobile=mobile,
            status=receipt.status,
            reason_code=failure.reason_code if failure else None,
            reason=failure.reason if failure else None,
            reported_at=receipt.reported_at,
        ),
    )
