"""A sender that dies mid-send: MESH took the document but the MESH id was never saved."""

from record.domain.model import RecordEntry
from record.handlers import sending
from record.handlers.deps import Deps
from record.ports import MeshMailbox


async def send_without_saving(
    mailbox: MeshMailbox, claimed: RecordEntry, deps: Deps, *, filename: str
) -> str:
    """Sends ``claimed``'s document as its sender would, and stops there (its claim stays, as a
    killed process leaves it); returns MESH's message id."""
    return await mailbox.send(
        to="A81001GP1",
        workflow_id=deps.workflow_id,
        body=sending.document_bytes(claimed, deps),
        local_id=claimed.local_id,
        subject=sending.SUBJECT,
        filename=filename,
    )
