"""Save-to-record benchmark: GP Connect Send Document messages built, and sent through NHS
England's mesh-sandbox, per second, and the CPU each costs.

1. **Builder alone**: ``--documents`` messages (PDF rendered, FHIR message built and encoded).
2. **Sent through MESH**: the record service's own handlers and MESH adapter (one mesh-client
   per mailbox, on its own thread) with the in-process store, against mesh-sandbox started for
   the run (full HMAC auth, file store): accept the entries, then claim and send until none is
   left. Once with ``verify_first_send`` (the default: a tracking GET before each POST) and once
   without. CPU is this process's (the service's share) and the sandbox's, per document.

Usage: ``uv run python bench/record_bench.py [--documents 500]``"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from services.record.tests.builders import record_entry_requested  # noqa: E402

from bench.procstats import sample  # noqa: E402
from cohort_testing.mesh_sandbox import SENDER, SENDER_PASSWORD, SHARED_KEY, MeshSandbox  # noqa: E402
from record.adapters.mesh import MailboxCredentials, MeshMailboxClient  # noqa: E402
from record.adapters.mongo_database import MongoHandle  # noqa: E402
from record.bootstrap import build_store_deps  # noqa: E402
from record.config import PracticeSettings, RecordSettings  # noqa: E402
from record.domain.document import (  # noqa: E402
    DocumentCodes,
    DocumentRequest,
    Practice,
    Sender,
    message_bytes,
)
from record.domain.model import Content, Patient  # noqa: E402
from record.handlers import entries, sending  # noqa: E402


@dataclass(frozen=True)
class Result:
    name: str
    documents: int
    wall_s: float
    cpu_s: float
    sandbox_cpu_s: float = 0.0
    bytes_per_document: int = 0

    def line(self) -> str:
        per = 1000 / self.documents
        sandbox = f", sandbox {self.sandbox_cpu_s * per:.1f} ms" if self.sandbox_cpu_s else ""
        size = f", {self.bytes_per_document:,} bytes each" if self.bytes_per_document else ""
        return (
            f"{self.name:<38} {self.documents / self.wall_s:8.1f} documents/s   "
            f"CPU per document: record {self.cpu_s * per:.1f} ms{sandbox}{size}"
        )


def bench_builder(n: int) -> Result:
    from uuid import uuid4

    sender = Sender("X26", "Cohort", SENDER)
    requests = [
        DocumentRequest(
            uuid4(),
            uuid4(),
            Practice("A81001", "Example Surgery"),
            Patient("9434765919", "Smith", date(1980, 2, 29)),
            Content(
                "sms", "Hello Olivia, your flu jab is due. Please book.", None, datetime.now(UTC)
            ),
        )
        for _ in range(n)
    ]
    size = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for request in requests:
        size += len(message_bytes(request, sender, DocumentCodes()))
    return Result(
        "builder alone (PDF + FHIR message)",
        n,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        bytes_per_document=size // n,
    )


async def bench_mesh(n: int, sandbox: MeshSandbox, verify: bool) -> Result:
    sandbox.reset()
    assert sandbox._proc.process is not None
    sandbox_pid = sandbox._proc.process.pid
    mailbox = MeshMailboxClient(
        MailboxCredentials(sandbox.url, SENDER, SENDER_PASSWORD, SHARED_KEY, timeout_s=30)
    )
    await mailbox.open()
    mongo = MongoHandle(None, "bench")

    class NoPublisher:
        async def publish(self, *_: object) -> None:
            return None

    settings = RecordSettings(
        practices={"A81001": PracticeSettings(addressing="mailbox", mailbox="A81001GP1")},
        verify_first_send=verify,
    )
    deps = build_store_deps(settings, mongo, mailbox, NoPublisher())
    for _ in range(n):
        await entries.accept_entry(record_entry_requested(delivered_at=datetime.now(UTC)), deps)
    before, sandbox_before = time.process_time(), sample(sandbox_pid).cpu_s
    wall = time.perf_counter()
    while await sending.send_due(deps, 50):
        pass
    wall = time.perf_counter() - wall
    cpu = time.process_time() - before
    sandbox_cpu = sample(sandbox_pid).cpu_s - sandbox_before
    await mailbox.close()
    await mongo.close()
    name = "sent through MESH, " + ("tracking GET + POST" if verify else "POST only")
    return Result(name, n, wall, cpu, sandbox_cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/record_bench.py", description=__doc__)
    parser.add_argument("--documents", type=int, default=500)
    args = parser.parse_args(argv)
    print(f"save to record: {args.documents} documents, {os.cpu_count()} cores")
    print(bench_builder(args.documents).line())
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = MeshSandbox(Path(tmp) / "logs", Path(tmp) / "store").start()
        try:
            for verify in (True, False):
                print(asyncio.run(bench_mesh(args.documents, sandbox, verify)).line())
        finally:
            sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
