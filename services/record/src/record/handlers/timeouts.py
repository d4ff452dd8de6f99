"""Acknowledgements that never came. The sender MUST tell a person when a send fails or an
acknowledgement never arrives (GPCM-SD-094/095): such an entry fails ``no_ack`` (or
``not_collected`` when MESH says the practice never downloaded it), staff see it per recipient,
and ``record_ack_timeouts_total`` is the metric to alert on."""

import logging
from datetime import timedelta

from prometheus_client import Counter

from cohort_contracts.record import RecordReason, RecordState

from ..domain.errors import MeshUnavailable
from ..domain.model import RecordEntry
from .deps import Deps

log = logging.getLogger(__name__)

ACK_TIMEOUTS = Counter(
    "record_ack_timeouts",
    "Entries failed because the practice's acknowledgement never came (alert on any increase)",
    ["ack"],
)


async def expire_missing_acks(deps: Deps, limit: int = 200) -> int:
    now = deps.clock()
    expired = 0
    # The two acknowledgements an entry waits for, each in the state it waits in and for as
    # long as it may: the infrastructure one once sent, the business one once acknowledged.
    waits = (
        (RecordState.SENT, deps.timeouts.infrastructure_s, "infrastructure"),
        (RecordState.ACKNOWLEDGED, deps.timeouts.business_s, "business"),
    )
    for state, wait_s, ack in waits:
        stale = await deps.entries.awaiting_ack(state, now - timedelta(seconds=wait_s), limit)
        for entry in stale:
            expired += await _expire(entry, deps, ack)
    return expired


async def _expire(entry: RecordEntry, deps: Deps, ack: str) -> int:
    reason, detail = RecordReason.NO_ACK, f"no {ack} acknowledgement"
    if ack == "infrastructure" and entry.mesh_message_id:
        # One tracking call tells "never collected" from "collected, never acknowledged".
        try:
            status = await deps.mailbox.tracking_status(entry.mesh_message_id)
        except MeshUnavailable:
            status = None
        if status == "accepted":
            reason, detail = RecordReason.NOT_COLLECTED, "MESH: not downloaded"
    if not await deps.entries.move(
        entry.id, RecordState.FAILED, deps.clock(), reason=reason, detail=detail
    ):
        return 0
    ACK_TIMEOUTS.labels(ack).inc()
    log.warning(
        "acknowledgement never came: not saved",
        extra={"entry_id": str(entry.id), "ack": ack, "reason_code": reason.value},
    )
    deps.statuses_waiting.set()
    return 1
