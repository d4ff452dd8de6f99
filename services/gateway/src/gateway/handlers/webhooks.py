"""Provider callbacks: authenticate, then hand them to dispatch through the broker."""

from uuid import uuid4

from cohort_contracts.routing import FIRETEXT_INBOUND, FIRETEXT_RECEIPTS
from cohort_contracts.sending import ProcessFiretextInbound, ProcessFiretextReceipt

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
