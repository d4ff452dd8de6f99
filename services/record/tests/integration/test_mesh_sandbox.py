"""The record service against NHS England's mesh-sandbox (full HMAC authentication, file
store): the MESH adapter's calls and error classification, and the whole save-to-record flow
with the fake GP system answering from a practice mailbox."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import partial
from pathlib import Path

import pytest

from cohort_contracts.record import RecordReason, RecordState
from cohort_testing.mesh_sandbox import SENDER, SENDER_PASSWORD, SHARED_KEY, FakeGp, MeshSandbox
from record.adapters.mesh import MailboxCredentials, MeshMailboxClient
from record.adapters.mongo_database import MongoHandle
from record.bootstrap import build_store_deps
from record.domain.errors import PermanentSendError, RetryableSendError
from record.domain.model import entry_id_for
from record.handlers import entries, inbox, sending
from record.handlers.deps import Deps

from ..builders import record_entry_requested
from ..conftest import settings
from ..dead_sender import send_without_saving
from ..fakes import FakePublisher
from ..stored import accepted, entry_for, state_of, stored_entry

pytestmark = pytest.mark.integration


def credentials(sandbox: MeshSandbox, **overrides: str) -> MailboxCredentials:
    fields = {
        "url": sandbox.url,
        "mailbox": SENDER,
        "password": SENDER_PASSWORD,
        "shared_key": SHARED_KEY,
    }
    fields.update(overrides)
    return MailboxCredentials(**fields, timeout_s=10)  # type: ignore[arg-type]


@pytest.fixture
async def mailbox(fresh_sandbox: MeshSandbox) -> AsyncIterator[MeshMailboxClient]:
    client = MeshMailboxClient(credentials(fresh_sandbox))
    await client.open()
    yield client
    await client.close()


@pytest.fixture
async def deps(mailbox: MeshMailboxClient) -> AsyncIterator[Deps]:
    mongo = MongoHandle(None, "record_it")
    await mongo.ensure_indexes()
    yield build_store_deps(settings(), mongo, mailbox, FakePublisher())
    await mongo.close()


async def until(what: str, probe: Callable[[], Awaitable[object]], seconds: float = 20) -> None:
    """Polls state that lives in other processes (MESH, the fake GP system)."""
    async with asyncio.timeout(seconds):
        while not await probe():  # noqa: ASYNC110
            await asyncio.sleep(0.2)


async def test_the_adapter_sends_finds_and_reads_through_real_mesh(
    mailbox: MeshMailboxClient, fresh_sandbox: MeshSandbox
) -> None:
    await mailbox.handshake()
    message_id = await mailbox.send(
        to="A81001GP1",
        workflow_id="GPCONNECT_SEND_DOCUMENT",
        body=b"{}",
        local_id="local-1",
        subject="GP Connect Send Document",
        filename="local-1.json",
    )
    assert await mailbox.find_sent("local-1") == message_id
    assert await mailbox.find_sent("never-sent") is None
    assert await mailbox.tracking_status(message_id) == "accepted"
    with pytest.raises(PermanentSendError, match="MESH 12"):
        await mailbox.send(
            to="NOSUCHBOX", workflow_id="X", body=b"", local_id="l", subject="s", filename="f"
        )
    wrong = MeshMailboxClient(credentials(fresh_sandbox, password="not-the-password"))
    await wrong.open()
    try:
        with pytest.raises(RetryableSendError):
            await wrong.send(
                to="A81001GP1", workflow_id="X", body=b"", local_id="l", subject="s", filename="f"
            )
    finally:
        await wrong.close()
    fresh_sandbox.report(
        mailbox=SENDER,
        linked_message_id=message_id,
        local_id="local-1",
        code="14",
        description="Undelivered message",
    )
    [report_id] = await mailbox.inbox(10)
    report = await mailbox.read(report_id)
    assert (report.message_type, report.linked_message_id, report.status_code) == (
        "REPORT",
        message_id,
        "14",
    )


async def test_documents_are_filed_refused_or_reported_with_the_practice_s_answers(
    deps: Deps, fresh_sandbox: MeshSandbox, tmp_path: Path
) -> None:
    # The last digit of the NHS number picks the fake practice's answer.
    numbers = {
        "filed": "9434765919",
        "not_registered": "9434765911",
        "rejected": "9434765912",
        "ndr": "9434765913",
    }
    gp = FakeGp(tmp_path, fresh_sandbox.url, "1=not_registered,2=rejected,3=uncollected").start()
    try:
        events = {k: record_entry_requested(nhs_number=n) for k, n in numbers.items()}
        for event in events.values():
            await entries.accept_entry(event, deps)
        assert await sending.send_due(deps) == 4

        def entry_state(kind: str) -> Callable[[], Awaitable[RecordState | None]]:
            event = events[kind]

            async def probe() -> RecordState | None:
                await inbox.poll_inbox(deps)
                return await state_of(deps, event)

            return probe

        async def final(kind: str) -> bool:
            return await entry_state(kind)() in {RecordState.FILED, RecordState.FAILED}

        for kind in ("filed", "not_registered", "rejected"):
            await until(kind, partial(final, kind))
        # MESH tells the sender of a message it could not deliver with a REPORT.
        ndr = events["ndr"]
        ndr_entry = await entry_for(deps, ndr)
        assert ndr_entry.mesh_message_id is not None
        fresh_sandbox.report(
            mailbox=SENDER,
            linked_message_id=ndr_entry.mesh_message_id,
            local_id=ndr_entry.local_id,
            code="14",
            description="Undelivered message",
        )
        await until("ndr", lambda: final("ndr"))
        outcome = {}
        for kind, event in events.items():
            entry = await entry_for(deps, event)
            outcome[kind] = (entry.state, entry.reason_code)
        assert outcome == {
            "filed": (RecordState.FILED, None),
            "not_registered": (RecordState.FAILED, RecordReason.NOT_REGISTERED_HERE),
            "rejected": (RecordState.FAILED, RecordReason.REJECTED),
            "ndr": (RecordState.FAILED, RecordReason.NOT_COLLECTED),
        }
        documents = gp.documents()
        assert sorted(str(d["nhs_number"]) for d in documents) == sorted(numbers.values())
        assert all(d["valid"] for d in documents)
        for d in documents:  # no patient data in the headers Cohort sets
            headers = " ".join(
                str(d["mex_headers"].get(h, "")) for h in ("localid", "subject", "filename")
            )
            assert d["nhs_number"] not in headers
            assert "SMITH" not in headers.upper()
        assert not await deps.mailbox.inbox(10)  # everything read was acknowledged
    finally:
        gp.stop()


async def test_a_restarted_sandbox_keeps_the_document_and_it_is_never_sent_twice(
    deps: Deps, fresh_sandbox: MeshSandbox, mailbox: MeshMailboxClient
) -> None:
    event = await accepted(deps)
    entry_id = entry_id_for(event.campaign_id, event.recipient_id)
    # A sender claims and sends, then dies before saving the MESH id; the sandbox restarts.
    [claimed] = await deps.entries.claim_due("dead", deps.clock(), 0.0, 10)
    first = await send_without_saving(mailbox, claimed, deps, filename="x.json")
    fresh_sandbox.restart()  # returns once the sandbox answers its health check
    assert await sending.send_due(deps) == 1
    entry = await stored_entry(deps, entry_id)
    assert (entry.state, entry.mesh_message_id) == (RecordState.SENT, first)
    gp = MeshMailboxClient(
        credentials(fresh_sandbox, mailbox="A81001GP1", password="gp-dev-mesh-password")
    )
    await gp.open()
    try:
        assert list(await gp.inbox(10)) == [first]
    finally:
        await gp.close()
    assert uuid.UUID(entry.local_id) == entry_id
