"""Reading Cohort's MESH inbox: MESH reports and the practices' ITK3 acknowledgements.

Each message's effect is saved before the message is acknowledged in MESH, and every effect is
a guarded transition, so a crash between the two only means the message is read again and
changes nothing the second time."""

import logging
import uuid
from dataclasses import dataclass

from prometheus_client import Counter

from cohort_contracts.record import RecordState

from ..domain.errors import MeshUnavailable
from ..domain.model import RecordEntry
from ..domain.responses import InboxMessage, Response, UnreadableResponse, read_inbox_message
from .deps import Deps

log = logging.getLogger(__name__)

INBOX_READ = Counter("record_inbox_messages", "MESH inbox messages handled", ["kind", "effect"])

#: Messages asked for per round; a full page means more are waiting (MESH: poll again at once).
PAGE = 500
_STATE = {
    "acknowledged": RecordState.ACKNOWLEDGED,
    "filed": RecordState.FILED,
    "failed": RecordState.FAILED,
}


@dataclass(frozen=True)
class PollResult:
    read: int
    full_page: bool


async def poll_inbox(deps: Deps) -> PollResult:
    ids = await deps.mailbox.inbox(PAGE)
    for message_id in ids:
        await handle_message(message_id, deps)
    return PollResult(read=len(ids), full_page=len(ids) >= PAGE)


async def handle_message(message_id: str, deps: Deps) -> None:
    mailbox = deps.mailbox.mailbox_id
    try:
        message = await deps.mailbox.read(message_id)
    except MeshUnavailable:
        raise
    kind = (message.message_type or "DATA").upper()
    if kind != "REPORT" and message.workflow_id != deps.ack_workflow_id:
        # Not ours to read (another workflow this mailbox receives): left in the inbox.
        INBOX_READ.labels(kind, "not_ours").inc()
        log.warning(
            "inbox message of another workflow left unread",
            extra={"mesh_message_id": message_id, "workflow_id": message.workflow_id},
        )
        return
    try:
        response = read_inbox_message(message)
    except UnreadableResponse as exc:
        INBOX_READ.labels(kind, "unreadable").inc()
        await deps.inbox_log.keep_unreadable(mailbox, message_id, str(exc))
        log.warning(
            "unreadable inbox message kept and acknowledged",
            extra={"mesh_message_id": message_id, "why": str(exc)},
        )
        await deps.mailbox.acknowledge(message_id)
        return
    await apply_response(response, message, deps)
    INBOX_READ.labels(kind, response.effect).inc()
    await deps.mailbox.acknowledge(message_id)


async def _entry_for(response: Response, deps: Deps) -> RecordEntry | None:
    if response.reference:
        try:
            entry = await deps.entries.get(uuid.UUID(response.reference))
        except ValueError:
            entry = None
        if entry is not None:
            return entry
    if response.mesh_message_id:
        return await deps.entries.find_by_mesh_id(response.mesh_message_id)
    return None


async def apply_response(response: Response, message: InboxMessage, deps: Deps) -> None:
    ids = {"mesh_message_id": message.message_id, "detail": response.detail}
    entry = await _entry_for(response, deps)
    if entry is None:
        log.warning("inbox message about no entry of ours", extra=ids)
        return
    ids["entry_id"] = str(entry.id)
    if response.effect == "ignored":
        log.info("duplicate acknowledgement ignored", extra=ids)
        return
    to = _STATE[response.effect]
    moved = await deps.entries.move(
        entry.id, to, deps.clock(), reason=response.reason, detail=response.detail
    )
    log.info(
        "record entry acknowledged" if moved else "acknowledgement changed nothing",
        extra={**ids, "state": to.value, "reason_code": response.reason},
    )
    if moved:
        deps.statuses_waiting.set()
