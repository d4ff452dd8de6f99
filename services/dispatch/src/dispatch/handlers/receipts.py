"""Firetext receipts → delivery reports for campaign.

A receipt's ``reference`` is the one the request carried: a recipient id for a request to one
number, or a shared ``g-…`` reference for a group of identical texts, whose receipts campaign
tells apart by number (``provider_reference`` + ``mobile``, in the ``447…`` form it stores).

Receipts arrive in batches (``ProcessFiretextReceipts``) and leave as one
``DeliveriesReported`` per batch; a single ``ProcessFiretextReceipt`` from an older gateway
still becomes a ``DeliveryReported``. Idempotent by construction: the event is a pure function
of the command, down to its ``message_id`` (derived from the command's), so a redelivered
batch yields an identical event that campaign recognises. A receipt that can never be read (no
reference, an unknown status) is left out of its batch with an error log and a metric, rather
than sending the whole batch to the dead-letter queue."""

import logging
import uuid
from datetime import datetime

from prometheus_client import Counter

from cohort_contracts.routing import DELIVERY_REPORTED
from cohort_contracts.sending import (
    DeliveriesReported,
    DeliveryReport,
    DeliveryReported,
    FiretextReceiptWord,
    ProcessFiretextReceipt,
    ProcessFiretextReceipts,
)
from cohort_nhs import international_digits
from cohort_platform.redelivery import PermanentError

from ..domain.grouping import is_group_reference
from ..domain.receipts import UnknownReceiptStatus, interpret_receipt
from ..ports import EventPublisher
from .answers import answer, arrived_at

log = logging.getLogger("dispatch.receipts")

_EVENT_IDS = uuid.UUID("5b0f8c1e-3d44-4a57-9a43-2f7d6c0b9e21")

UNREADABLE = Counter(
    "dispatch_receipts_unreadable", "Firetext receipts that could not be read", ["why"]
)


class UnreadableReceipt(Exception):
    """A receipt no retry can make sense of."""


def _report(
    receipt: FiretextReceiptWord, receipt_id: uuid.UUID, received_at: datetime
) -> DeliveryReport:
    """The report of one receipt: a batch's (named by its ``receipt_id``) or the single
    command's (named by its ``message_id``)."""
    reference = receipt.reference.strip()
    if not reference:
        raise UnreadableReceipt("receipt without a reference")
    mobile = international_digits(receipt.mobile) or receipt.mobile.strip() or None
    grouped = is_group_reference(reference)
    if grouped and mobile is None:
        raise UnreadableReceipt("group receipt without a number")
    try:
        outcome = interpret_receipt(
            receipt.status, receipt.code, receipt.time, received_at=received_at
        )
    except UnknownReceiptStatus as exc:
        raise UnreadableReceipt("unknown receipt status") from exc
    failure = outcome.failure
    return DeliveryReport(
        receipt_id=receipt_id,
        recipient_id=None if grouped else reference,
        provider_reference=reference,
        mobile=mobile,
        status=outcome.status,
        reason_code=failure.reason_code if failure else None,
        reason=failure.reason if failure else None,
        permanent=failure.permanent if failure else None,
        reported_at=outcome.reported_at,
    )


async def process_firetext_receipts(cmd: ProcessFiretextReceipts, events: EventPublisher) -> None:
    reports = []
    for receipt in cmd.receipts:
        try:
            reports.append(_report(receipt, receipt.receipt_id, receipt.received_at))
        except UnreadableReceipt as exc:
            UNREADABLE.labels(str(exc)).inc()
            log.error(
                "firetext receipt left out: %s",
                exc,
                extra={"message_id": str(cmd.message_id), "receipt_id": str(receipt.receipt_id)},
            )
    if not reports:
        return
    await events.publish(
        DELIVERY_REPORTED,
        DeliveriesReported(
            **answer(_EVENT_IDS, cmd, cmd.occurred_at),
            reports=reports,
        ),
    )


async def process_firetext_receipt(cmd: ProcessFiretextReceipt, events: EventPublisher) -> None:
    """One receipt from a gateway that does not batch yet."""
    received_at = arrived_at(cmd)
    try:
        report = _report(cmd, cmd.message_id, received_at)
    except UnreadableReceipt as exc:
        log.error("firetext receipt unreadable", extra={"message_id": str(cmd.message_id)})
        raise PermanentError(str(exc)) from exc
    await events.publish(
        DELIVERY_REPORTED,
        DeliveryReported(
            **answer(_EVENT_IDS, cmd, received_at),
            **report.model_dump(exclude={"receipt_id"}),
        ),
    )
