"""Campaign on its in-process MongoDB stand-in: record, review and release a large list.

Run from the repository root (no services, no RabbitMQ, no MongoDB needed):

    .venv/bin/python bench/campaign_store_bench.py [--rows 1000,10000,20000] [--batch 200]

For each list size it drives campaign's real handlers and adapters against the stand-in
(``MongoHandle(None, ...)``, as campaign runs without ``MONGODB_URL``):

1. **record:** ``record_resolved_rows`` with ``RowsResolved`` batches of ``--batch`` rows, as
   ingest publishes them. 1 row in 100 failed at PDS and 1 in 200 repeats an earlier patient.
   One batch is then delivered again (a redelivery must change nothing).
2. **review:** ``get_review``, then **send:** ``send_campaign`` (which reviews again).
3. **release:** ``release``, in SendMessages batches of ``--release-batch`` recipients.

While each phase runs, a probe asks campaign what a gateway progress poll asks
(``get_patient_list``) every 500 ms and records how long each answer took from the moment it
was due: how long an RPC would wait. See bench/README.md for the figures last measured."""

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The repository root instead of bench/ itself, so that ``bench`` imports as a package.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.tables import table  # noqa: E402
from campaign.adapters.mongo_database import MongoHandle  # noqa: E402
from campaign.bootstrap import build_store_deps  # noqa: E402
from campaign.domain.links import LinkSigner  # noqa: E402
from campaign.domain.messages import MessageRenderer  # noqa: E402
from campaign.handlers import campaigns, lists  # noqa: E402
from campaign.handlers import release as releasing  # noqa: E402
from campaign.handlers.deps import Deps  # noqa: E402
from campaign.handlers.review import get_review  # noqa: E402
from cohort_contracts.campaign_requests import (  # noqa: E402
    MAX_PAGE_SIZE,
    CreateCampaign,
    GetPatientList,
    GetReview,
    ListRecipients,
    RegisterPatientList,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.envelope import Message  # noqa: E402
from cohort_contracts.ingest import ResolvedPatient, RowOutcome, RowsResolved  # noqa: E402
from cohort_contracts.routing import Route  # noqa: E402
from cohort_contracts.sending import SendMessages  # noqa: E402
from cohort_contracts.vocabulary import UploadReason  # noqa: E402
from cohort_testing.nhs_numbers import valid_numbers  # noqa: E402

ORG = "A81001"
FAILED_EVERY = 100
REPEAT_EVERY = 200
REPEATED = 57


class CountingPublisher:
    """Counts SendMessages recipients; yields to the loop as a real publish would."""

    def __init__(self) -> None:
        self.messages = 0

    async def publish(self, route: Route, message: Message) -> None:
        if isinstance(message, SendMessages):
            self.messages += len(message.messages)
        await asyncio.sleep(0)


class UnlimitedCredit:
    async def balance(self, org_id: str) -> int | None:
        return None


def outcomes(n: int) -> list[RowOutcome]:
    numbers = valid_numbers("999", n)
    rows = []
    for row in range(1, n + 1):
        cells = [numbers[row - 1], "01/01/1980", f"note {row}"]
        if row % FAILED_EVERY == 0:
            rows.append(RowOutcome(row_number=row, cells=cells, reason_code=UploadReason.NOT_FOUND))
            continue
        # One row in REPEAT_EVERY repeats the patient of the row 7 rows earlier.
        nhs = numbers[row - 8] if row % REPEAT_EVERY == REPEATED else numbers[row - 1]
        patient = ResolvedPatient(
            nhs_number=nhs, given_name="JANE", family_name="SMITH", contact=f"447700{row:06d}"
        )
        rows.append(RowOutcome(row_number=row, cells=cells, patient=patient))
    return rows


def expected_ready(n: int) -> int:
    return sum(1 for r in range(1, n + 1) if r % FAILED_EVERY and r % REPEAT_EVERY != REPEATED)


@dataclass
class Probe:
    """What a request arriving every ``interval_s`` would wait for its answer."""

    call: Callable[[], Awaitable[object]]
    interval_s: float = 0.5
    waits: list[float] = field(default_factory=list)

    async def run(self) -> None:
        due = time.perf_counter()
        while True:
            due += self.interval_s
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await self.call()
            self.waits.append(time.perf_counter() - due)
            due = max(due, time.perf_counter())

    def summary(self) -> str:
        if not self.waits:
            return "no probe answered"
        ms = sorted(w * 1000 for w in self.waits)
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return f"{statistics.median(ms):,.0f} / {p95:,.0f} / {ms[-1]:,.0f}"


@dataclass
class Phase:
    name: str
    wall_s: float
    cpu_s: float
    items: int
    probe: str


async def timed(
    name: str, items: int, work: Callable[[], Awaitable[Any]], probe_call: Callable[[], Any]
) -> tuple[Phase, Any]:
    probe = Probe(probe_call)
    task = asyncio.create_task(probe.run())
    wall, cpu = time.perf_counter(), time.process_time()
    result = await work()
    phase = Phase(name, time.perf_counter() - wall, time.process_time() - cpu, items, "")
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    phase.probe = probe.summary()
    return phase, result


def make_deps(mongo: MongoHandle, publisher: CountingPublisher, release_batch: int) -> Deps:
    # The service's own wiring (quiet hours off: the bench must release whatever the hour).
    return build_store_deps(
        mongo,
        publisher,
        UnlimitedCredit(),
        MessageRenderer(
            LinkSigner(b"bench-secret", "https://book.example.nhs.uk/l/"), {ORG: "Riverside"}
        ),
        release_batch_size=release_batch,
    )


def _request(**fields: Any) -> dict[str, Any]:
    return {"correlation_id": uuid.uuid4(), "org_id": ORG, "actor": "bench", **fields}


async def run_size(n: int, batch: int, release_batch: int, numbered: bool = False) -> list[Phase]:
    mongo = MongoHandle(None, f"bench_{uuid.uuid4().hex[:8]}")
    await mongo.ensure_indexes()
    publisher = CountingPublisher()
    deps = make_deps(mongo, publisher, release_batch)
    view = await campaigns.create_campaign(
        CreateCampaign(**_request(name="Flu", type="basic")), deps
    )
    list_id = uuid.uuid4()
    await lists.register_patient_list(
        RegisterPatientList(
            **_request(
                campaign_id=view.id,
                list_id=list_id,
                channel="sms",
                filename="list.csv",
                columns=["NHS Number", "Date of Birth", "Notes"],
                total_rows=n,
            )
        ),
        deps,
    )
    await campaigns.set_message(
        SetMessage(
            **_request(campaign_id=view.id, body="Hello ((first_name)), your flu jab is due.")
        ),
        deps,
    )
    rows = outcomes(n)
    events = [
        RowsResolved(
            **_request(
                campaign_id=view.id,
                list_id=list_id,
                channel="sms",
                batch_number=i // batch,
                outcomes=rows[i : i + batch],
            )
        )
        for i in range(0, n, batch)
    ]

    def poll() -> Awaitable[object]:
        return lists.get_patient_list(
            GetPatientList(**_request(campaign_id=view.id, list_id=list_id)), deps
        )

    async def record() -> None:
        for event in [*events, events[len(events) // 2]]:
            await lists.record_resolved_rows(event, deps)
            await asyncio.sleep(0)  # a consumer returns to the loop between messages

    ready = expected_ready(n)
    recorded, _ = await timed("record", n, record, poll)
    progress = await poll()
    review, reviewed = await timed(
        "review",
        ready,
        lambda: get_review(GetReview(**_request(campaign_id=view.id)), deps),
        poll,
    )
    if reviewed.recipient_count != ready or getattr(progress, "processed_rows", None) != n:
        raise SystemExit(f"recorded {reviewed.recipient_count} recipients, expected {ready}")
    send, _ = await timed(
        "send (reviews again)",
        ready,
        lambda: campaigns.send_campaign(
            SendCampaign(**_request(campaign_id=view.id, confirm_recipient_count=ready)), deps
        ),
        poll,
    )
    campaign = await deps.campaigns.get(ORG, view.id)
    assert campaign is not None
    released, count = await timed("release", ready, lambda: releasing.release(campaign, deps), poll)
    if count != ready or publisher.messages != ready:
        raise SystemExit(f"released {count} ({publisher.messages} published), expected {ready}")

    async def export() -> list[float]:
        """Every page the recipients CSV reads, as the gateway reads them (each on from the
        last page's cursor, or by number with ``--numbered``); each page's time."""
        times: list[float] = []
        after: str | None = None
        for page in range(1, -(-ready // MAX_PAGE_SIZE) + 1):
            started = time.perf_counter()
            listed = await campaigns.list_recipients(
                ListRecipients(
                    **_request(
                        campaign_id=view.id,
                        page=page if numbered else 1,
                        page_size=MAX_PAGE_SIZE,
                        after=None if numbered else after,
                    )
                ),
                deps,
            )
            after = listed.next_after
            times.append(time.perf_counter() - started)
        return times

    exported, page_times = await timed("export (recipients.csv)", ready, export, poll)
    exported.name += (
        f": page 1 {page_times[0] * 1000:,.0f} ms, last {page_times[-1] * 1000:,.0f} ms"
    )
    await mongo.close()
    return [recorded, review, send, released, exported]


def calib_us() -> float:
    """The box's speed right now (see shared/reference/limits.md): best of 5 sum(range(1000))."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        sum(range(1000))
        best = min(best, time.perf_counter() - start)
    return best * 1e6


async def main_async(sizes: list[int], batch: int, release_batch: int, numbered: bool) -> None:
    print(f"calib_us {calib_us():.0f}  batch {batch}  release batch {release_batch}")
    for n in sizes:
        phases = await run_size(n, batch, release_batch, numbered)
        print(f"\n{n:,} rows ({expected_ready(n):,} recipients), calib_us {calib_us():.0f}")
        print(
            table(
                ["phase", "wall s", "CPU s", "per s", "CPU µs each", "probe ms p50/p95/max"],
                [
                    [
                        p.name,
                        f"{p.wall_s:,.2f}",
                        f"{p.cpu_s:,.2f}",
                        f"{p.items / p.wall_s:,.0f}",
                        f"{p.cpu_s / p.items * 1e6:,.0f}",
                        p.probe,
                    ]
                    for p in phases
                ],
            ),
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,10000,20000", help="comma-separated list sizes")
    parser.add_argument("--batch", type=int, default=200, help="rows per RowsResolved")
    parser.add_argument("--release-batch", type=int, default=200, help="recipients per release")
    parser.add_argument(
        "--numbered", action="store_true", help="export by page number, as before cursors"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    asyncio.run(main_async(sizes, args.batch, args.release_batch, args.numbered))
    return 0


if __name__ == "__main__":
    sys.exit(main())
