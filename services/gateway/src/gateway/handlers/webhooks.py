"""Provider callbacks: authenticate, then hand the receipt to dispatch through the broker."""

from uuid import uuid4

from cohort_contracts.routing import FIRETEXT_RECEIPTS
from cohort_contracts.sending import ProcessFiretextReceipt

from ..ports import Publisher


async def accept_firetext_receipt(
    publisher: Publisher,
    org_id: str,
    *,
    mobile: str,
    status: str,
    reference: str,
    time: str | None,
    code: str | None,
) -> ProcessFiretextReceipt:
    """Returns only once the broker has confirmed the command (Firetext retries otherwise)."""
    message = ProcessFiretextReceipt(
        correlation_id=uuid4(),
        org_id=org_id,
        mobile=mobile,
        status=status,
        reference=reference,
        time=time,
        code=code,
    )
    await publisher.publish(FIRETEXT_RECEIPTS, message)
    return message
