"""``ProcessFiretextInbound`` → ``ReplyReceived``: a patient's reply, with their number in the
``447…`` form campaign stores, and the time Firetext says it arrived.

Idempotent by construction, like receipts: the event's ``message_id`` is derived from the
command's, so a redelivered command yields an identical event."""

import logging
import uuid
from datetime import UTC

from cohort_contracts.routing import REPLY_RECEIVED
from cohort_contracts.sending import ProcessFiretextInbound, ReplyReceived
from cohort_nhs import international_digits
from cohort_platform.redelivery import PermanentError

from ..domain.receipts import parse_firetext_time
from ..ports import EventPublisher
from .answers import answer, arrived_at

log = logging.getLogger("dispatch.inbound")

_REPLY_IDS = uuid.UUID("0d9b6a53-8f0e-4c49-9d3b-6a1f2b7c4e10")


async def process_firetext_inbound(cmd: ProcessFiretextInbound, events: EventPublisher) -> None:
    ids = {"message_id": str(cmd.message_id), "org_id": cmd.org_id}
    # A number we cannot read is passed on as written (it will match no patient, but the reply
    # is kept); only a reply from no number at all is unusable.
    from_number = international_digits(cmd.source) or cmd.source.strip()
    if not from_number:
        log.error("firetext reply without a sender", extra=ids)
        raise PermanentError("reply without source")
    arrived = arrived_at(cmd)
    received_at = parse_firetext_time(cmd.time) or arrived.astimezone(UTC)
    await events.publish(
        REPLY_RECEIVED,
        ReplyReceived(
            **answer(_REPLY_IDS, cmd, arrived),
            from_number=from_number,
            destination=cmd.destination.strip(),
            message=cmd.message,
            received_at=received_at,
        ),
    )
    log.info("reply received", extra=ids)
