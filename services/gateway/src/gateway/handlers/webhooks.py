"""Provider callbacks: authenticate, then hand them to dispatch through the broker."""

from datetime import UTC, datetime
from uuid import uuid4

from cohort_contracts.routing import FIRETEXT_INBOUND, FIRETEXT_RECEIPTS
from cohort_contracts.sending import (
    FiretextReceipt,
    FiretextReceiptWord,
    ProcessFiretextInbound,
    ProcessFiretextReceipts,
)

from ..ports import Publisher, ReceiptBatcher


async def accept_firetext_receipt(
    receipts: ReceiptBatcher, org_id: str, word: FiretextReceiptWord
) -> FiretextReceipt:
    """Returns only once the broker has confirmed the batch holding this receipt (Firetext
    retries otherwise). Receipts arriving together travel in one message."""
    receipt = FiretextReceipt(
        receipt_id=uuid4(),
        mobile=word.mobile,
        status=word.status,
        reference=word.reference,
        time=word.time,
        code=word.code,
        received_at=datetime.now(UTC),
    )
    await receipts.submit(org_id, receipt)
    return receipt


async def publish_receipts(
    publisher: Publisher, org_id: str, receipts: list[FiretextReceipt]
) -> None:
    """The write of the receipt batcher: one confirmed message per batch."""
    await publisher.publish(
        FIRETEXT_RECEIPTS,
        ProcessFiretextReceipts(correlation_id=uuid4(), org_id=org_id, receipts=receipts),
    )


async def accept_firetext_inbound(
    publisher: Publisher,
    org_id: str,
    *,
    source: str,
    destination: str,
    message: str,
    time: str | None,
) -> ProcessFiretextInbound:
    """A patient's reply; returns only once the broker has confirmed the command."""
    command = ProcessFiretextInbound(
        correlation_id=uuid4(),
        org_id=org_id,
        source=source,
        destination=destination,
        message=message,
        time=time,
    )
    await publisher.publish(FIRETEXT_INBOUND, command)
    return command
