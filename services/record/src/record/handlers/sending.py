"""Sending documents: claimed before the MESH call, the MESH id saved right after, the same
local id on every attempt, so a document goes to MESH once.

The one case MESH may hold a document whose id we never saved is a sender that died during or
just after its POST (mesh-client never retries that POST itself). The claim then expires and
another sender takes the entry over; before sending again it asks MESH whether a message with
the entry's local id was already accepted (``find_sent``), and adopts that message's id if so.
Likewise after a retryable failure, which may have reached MESH.

With ``verify_first_send`` (the default) even a first attempt asks first: the check then also
covers a store that lost its entries (restored from a backup, or the in-process stand-in of a
killed process) and a repeated event that made a fresh entry. It costs one MESH GET per
document (``bench/record_bench.py`` measures it)."""

import asyncio
import logging

from prometheus_client import Counter

from cohort_contracts.record import RecordReason, RecordState

from ..domain.document import DocumentRequest, Practice, message_bytes
from ..domain.errors import PermanentSendError, RetryableSendError, TrackingUnavailable
from ..domain.model import RecordEntry
from .deps import Deps

log = logging.getLogger(__name__)

SENT = Counter("record_documents_sent", "Documents MESH accepted")
ADOPTED = Counter(
    "record_documents_adopted",
    "Documents found already in MESH on a retry (their sender died before saving the id)",
)
SEND_FAILURES = Counter("record_send_failures", "Failed MESH sends", ["kind"])
TRACKING_UNAVAILABLE = Counter(
    "record_tracking_unavailable", "Sends made without MESH saying whether it had the document"
)

#: Subject and filename carry no patient data (MESH: no PID in ``Mex-LocalID``/``Mex-Subject``).
SUBJECT = "GP Connect Send Document"


def document_bytes(entry: RecordEntry, deps: Deps) -> bytes:
    assert entry.patient is not None
    assert entry.content is not None
    practice = deps.practices[entry.org_id]
    request = DocumentRequest(
        entry_id=entry.id,
        campaign_id=entry.campaign_id,
        practice=Practice(entry.org_id, practice.name),
        patient=entry.patient,
        content=entry.content,
    )
    return message_bytes(request, deps.sender, deps.codes)


async def send_due(deps: Deps, limit: int = 50) -> int:
    """Claim and send up to ``limit`` due entries; returns how many were claimed."""
    claimed = await deps.entries.claim_due(deps.instance_id, deps.clock(), deps.claim_s, limit)
    # One at a time per mailbox anyway (MESH tokens are serial); the sends still overlap with
    # document building and the store's writes.
    await asyncio.gather(*(send_one(entry, deps) for entry in claimed))
    return len(claimed)


async def send_one(entry: RecordEntry, deps: Deps) -> None:
    ids = {"entry_id": str(entry.id), "campaign_id": str(entry.campaign_id)}
    maybe_sent = entry.state is RecordState.SENDING or entry.attempts > 0
    try:
        mesh_id = (
            await _already_in_mesh(entry, deps) if maybe_sent or deps.verify_first_send else None
        )
        if mesh_id is not None:
            ADOPTED.inc()
            log.warning("document was already in MESH; adopting it", extra=ids)
        else:
            mesh_id = await deps.mailbox.send(
                to=entry.mesh_to or "",
                workflow_id=deps.workflow_id,
                body=await asyncio.to_thread(document_bytes, entry, deps),
                local_id=entry.local_id,
                subject=SUBJECT,
                filename=f"{entry.local_id}.json",
            )
            SENT.inc()
    except PermanentSendError as exc:
        SEND_FAILURES.labels("permanent").inc()
        log.warning("document refused by MESH", extra={**ids, "detail": exc.detail})
        await _fail(entry, deps, exc.detail)
        return
    except RetryableSendError as exc:
        SEND_FAILURES.labels("retryable").inc()
        await _retry(entry, deps, exc.detail)
        return
    if await deps.entries.mark_sent(
        entry.id, deps.instance_id, mesh_id, entry.mesh_to or "", deps.clock()
    ):
        log.info("document sent", extra={**ids, "mesh_message_id": mesh_id})
        deps.statuses_waiting.set()
    else:
        # Our claim expired while MESH answered, and another sender took the entry: it will find
        # this message by its local id instead of sending another.
        log.warning("claim lost before the MESH id was saved", extra=ids)


async def _already_in_mesh(entry: RecordEntry, deps: Deps) -> str | None:
    try:
        return await deps.mailbox.find_sent(entry.local_id)
    except TrackingUnavailable:
        TRACKING_UNAVAILABLE.inc()
        log.warning(
            "MESH cannot say whether it has the document; sending",
            extra={"entry_id": str(entry.id)},
        )
        return None


async def _retry(entry: RecordEntry, deps: Deps, detail: str) -> None:
    attempts = entry.attempts + 1
    now = deps.clock()
    when = deps.retry.next_attempt(attempts, now, deps.rng)
    ids = {"entry_id": str(entry.id), "detail": detail, "attempts": attempts}
    if when is None:
        log.warning("document not sent after every retry", extra=ids)
        await _fail(entry, deps, detail)
        return
    log.info("document send will be retried", extra={**ids, "retry_at": when.isoformat()})
    await deps.entries.retry_later(entry.id, deps.instance_id, attempts, when, detail)


async def _fail(entry: RecordEntry, deps: Deps, detail: str) -> None:
    if await deps.entries.move(
        entry.id, RecordState.FAILED, deps.clock(), reason=RecordReason.SEND_ERROR, detail=detail
    ):
        deps.statuses_waiting.set()
