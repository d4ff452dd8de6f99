"""Save to record, as the record service reports it: each recipient's latest record state.

Reports can repeat or overtake each other; the one with the highest rank is kept (and the
first final one: ``filed`` and ``failed`` share the top rank), so a late "sent" never hides
"Saved to GP record"."""

import logging

from cohort_contracts.record import RECORD_STATE_RANK, RecordStatusChanged

from .deps import Deps

log = logging.getLogger(__name__)


async def record_record_status(event: RecordStatusChanged, deps: Deps) -> None:
    changed = await deps.recipients.set_record_state(
        event.org_id,
        event.recipient_id,
        event.state.value,
        None if event.reason_code is None else event.reason_code.value,
        RECORD_STATE_RANK[event.state],
    )
    if not changed:
        log.info(
            "record status repeated or overtaken",
            extra={"recipient_id": event.recipient_id, "state": event.state.value},
        )
