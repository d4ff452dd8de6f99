"""The whole journey through the public API, phase by phase: ``make bench-campaign``.

A benchmark command, not a test. It starts every service and simulator as processes (the
end-to-end harness, ``tests/e2e/stack.py``) in a private RabbitMQ namespace that it deletes
afterwards, then: uploads ``--rows`` synthetic patients, waits for the list, composes, reviews,
sends, waits until the Firetext simulator has accepted every message, then until every receipt
has settled. While messages are handed over, ``--readers`` clients read the campaign and the
overview as fast as they can. It prints each phase's wall time and patients/s, CPU µs per
patient and peak RSS of every process (RabbitMQ included), the read figures, and the depth of
every dead-letter queue (which must be 0). It uses ``MONGODB_URL`` when set and says which store
it ran on.

    make bench-campaign ROWS=100000 INSTANCES=campaign=2,dispatch=2
    uv run python bench/campaign_bench.py [--rows 100000] [--instances campaign=2,dispatch=2]
"""

import argparse
import asyncio
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import httpx2
from tests.e2e.stack import Stack

from bench.patient_csv import build_csv
from bench.processes import stop_processes
from bench.procstats import CpuMeter, find_broker_pid
from bench.tables import table
from cohort_contracts.routing import ALL_ROUTES, RECORD_ENTRIES
from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace
from cohort_platform.topology import Topology
from gateway.tokens import issue_token

POLL_S = 0.25
SHORT = {
    "upload accepted": "upload",
    "list resolved and recorded": "list",
    "review": "review",
    "send accepted": "send",
    "all handed to Firetext": "handover",
    "all receipts settled": "receipts",
}
BODY = "Hello ((first_name)), your flu vaccination is due. Please call the surgery to book."


@dataclass
class Phase:
    name: str
    seconds: float
    patients: int
    cpu_s: dict[str, float] = field(default_factory=dict)


@dataclass
class Reads:
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--instances", default="", help="e.g. campaign=2,dispatch=2 (default one of each)"
    )
    parser.add_argument("--readers", type=int, default=100, help="concurrent readers (0: none)")
    parser.add_argument("--receipt-delay-ms", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per phase")
    parser.add_argument("--keep-logs", action="store_true")
    return parser.parse_args(argv)


def instances(spec: str) -> dict[str, int]:
    found = {}
    for part in filter(None, spec.split(",")):
        name, _, count = part.partition("=")
        found[name.strip()] = int(count)
    return found


def wait_until(what: str, probe: Callable[[], bool], timeout: float, stack: Stack) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        for name, process in stack.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited while waiting for {what}:\n{stack.log(name)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(POLL_S)


class Journey:
    def __init__(self, stack: Stack, args: argparse.Namespace) -> None:
        self.stack, self.args = stack, args
        token = issue_token(stack.jwt_secret, "bench", "A81001")
        self.api = httpx2.Client(
            base_url=stack.url("gateway"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=120.0,
        )
        pids = {name: p.pid for name, p in stack.processes.items()}
        if (broker := find_broker_pid()) is not None:
            pids["rabbitmq"] = broker
        pids["this process"] = os.getpid()
        self.meter = CpuMeter(pids)
        self.phases: list[Phase] = []
        self.campaign_id = ""
        self.resolved = 0
        self.delivered = 0
        self.reads = Reads()

    def phase(self, name: str, patients: int, action: Callable[[], None]) -> None:
        self.meter.start()
        started = time.monotonic()
        action()
        seconds = time.monotonic() - started
        self.meter.stop()
        cpu = {n: self.meter.cpu_s(n) for n in self.meter.pids}
        self.phases.append(Phase(name, seconds, patients, cpu))
        print(f"  {name}: {seconds:.2f} s", flush=True)

    def run(self) -> None:
        rows = self.args.rows
        csv_bytes = build_csv(rows)
        created = self.api.post("/v1/campaigns", json={"name": "Benchmark", "type": "basic"})
        created.raise_for_status()
        self.campaign_id = created.json()["id"]
        list_id = ""

        def upload() -> None:
            nonlocal list_id
            response = self.api.post(
                f"/v1/campaigns/{self.campaign_id}/patient-lists",
                files={"file": ("bench.csv", csv_bytes, "text/csv")},
                data={"channel": "sms"},
            )
            response.raise_for_status()
            list_id = response.json()["id"]

        def resolved() -> bool:
            body = self.api.get(f"/v1/campaigns/{self.campaign_id}/patient-lists/{list_id}").json()
            self.resolved = body["succeeded"]
            return bool(body["status"] == "complete")

        self.phase("upload accepted", rows, upload)
        self.phase(
            "list resolved and recorded",
            rows,
            lambda: wait_until("the list", resolved, self.args.timeout, self.stack),
        )
        self.api.put(f"/v1/campaigns/{self.campaign_id}/message", json={"body": BODY})
        self.phase("review", self.resolved, self.review)
        self.phase("send accepted", self.resolved, self.send)
        self.phase("all handed to Firetext", self.resolved, self.handed_over)
        self.phase("all receipts settled", self.resolved, self.settled)

    def review(self) -> None:
        review = self.api.get(f"/v1/campaigns/{self.campaign_id}/review").json()
        assert review["recipient_count"] == self.resolved, review

    def send(self) -> None:
        response = self.api.post(
            f"/v1/campaigns/{self.campaign_id}/send",
            json={"confirm_recipient_count": self.resolved},
        )
        response.raise_for_status()

    def handed_over(self) -> None:
        sim = httpx2.Client(base_url=self.stack.url("firetext"), timeout=30.0)

        def accepted() -> bool:
            return int(sim.get("/_sim/stats").json()["accepted_messages"]) >= self.resolved

        readers = ReadLoad(self.stack, self.campaign_id, self.args.readers)
        readers.start()
        try:
            wait_until("the hand-over", accepted, self.args.timeout, self.stack)
        finally:
            self.reads = readers.stop()

    def settled(self) -> None:
        def done() -> bool:
            counts = self.api.get(f"/v1/campaigns/{self.campaign_id}").json()["counts"]
            self.delivered = int(counts["delivered"])
            return self.delivered + int(counts["failed"]) >= self.resolved

        wait_until("every receipt", done, self.args.timeout, self.stack)


class ReadLoad:
    """``readers`` clients reading the campaign and the overview in turns, on their own loop."""

    def __init__(self, stack: Stack, campaign_id: str, readers: int) -> None:
        self.stack, self.campaign_id, self.readers = stack, campaign_id, readers
        self.reads = Reads()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def start(self) -> None:
        if self.readers:
            self._thread.start()

    def stop(self) -> Reads:
        self._stop.set()
        if self.readers:
            self._thread.join()
        return self.reads

    async def _main(self) -> None:
        token = issue_token(self.stack.jwt_secret, "reader", "A81001")
        limits = httpx2.Limits(max_connections=self.readers)
        async with httpx2.AsyncClient(
            base_url=self.stack.url("gateway"),
            headers={"Authorization": f"Bearer {token}"},
            limits=limits,
            timeout=30.0,
        ) as client:
            started = time.monotonic()
            await asyncio.gather(*(self._reader(client, n) for n in range(self.readers)))
            self.reads.seconds = time.monotonic() - started

    async def _reader(self, client: httpx2.AsyncClient, n: int) -> None:
        paths = [f"/v1/campaigns/{self.campaign_id}", "/v1/campaigns"]
        i = n
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                response = await client.get(paths[i % 2])
                ok = response.status_code == 200
            except httpx2.HTTPError:
                ok = False
            self.reads.latencies_ms.append((time.monotonic() - started) * 1000)
            self.reads.requests += 1
            self.reads.errors += not ok
            i += 1


async def queue_depths(stack: Stack) -> dict[str, int]:
    """Messages waiting in every dead-letter queue, and in the save-to-record queue (nothing
    consumes it here, so it holds every record entry ever published)."""
    topology = Topology(RabbitSettings(cohort_namespace=stack.namespace))
    connection = await aio_pika.connect(stack.rabbitmq_url)
    depths = {}
    async with connection:
        channel = await connection.channel()
        underlay = await channel.get_underlay_channel()
        for queue in [f"{r.queue}.dlq" for r in ALL_ROUTES] + [RECORD_ENTRIES.queue]:
            result = await underlay.queue_declare(topology.name(queue), passive=True)
            depths[queue] = int(result.message_count or 0)
    return depths


def report(journey: Journey, store: str, depths: dict[str, int]) -> str:
    dlq = {k: v for k, v in depths.items() if k.endswith(".dlq")}
    phases = journey.phases
    lines = [f"store: {store}; patients resolved: {journey.resolved}", ""]
    lines.append(
        table(
            ["phase", "wall s", "patients/s"],
            [
                [p.name, f"{p.seconds:.2f}", f"{p.patients / p.seconds:,.0f}" if p.seconds else "-"]
                for p in phases
            ],
        )
    )
    total = sum(p.seconds for p in phases)
    lines.append(f"whole journey: {total:.1f} s\n")
    names = list(journey.meter.pids)
    rows = []
    for name in names:
        cpu = sum(p.cpu_s.get(name, 0.0) for p in phases)
        per = [f"{p.cpu_s.get(name, 0.0) * 1e6 / max(p.patients, 1):,.0f}" for p in phases]
        rows.append(
            [
                name,
                f"{cpu:.1f}",
                f"{cpu * 1e6 / max(journey.resolved, 1):,.0f}",
                *per,
                f"{journey.meter.peak_rss_mb(name):.0f}",
            ]
        )
    short = [SHORT.get(p.name, p.name.split()[0]) for p in phases]
    lines.append(
        table(
            ["process", "CPU s", "µs/patient", *[f"µs:{s}" for s in short], "peak RSS MB"],
            rows,
        )
    )
    reads = journey.reads
    if reads.requests:
        ordered = sorted(reads.latencies_ms)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        lines.append(
            f"\nreads during the hand-over ({journey.args.readers} clients): "
            f"{reads.requests / reads.seconds:,.0f} req/s, "
            f"p50 {statistics.median(ordered):.0f} ms, "
            f"p99 {p99:.0f} ms, errors {reads.errors}"
        )
    lines.append(
        f"\nrecord entries published: {depths[RECORD_ENTRIES.queue]:,} "
        f"(delivered: {journey.delivered:,})"
    )
    lines.append(
        f"dead-letter queues: {sum(dlq.values())} messages "
        + str({k: v for k, v in dlq.items() if v} or "(all empty)")
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_dir = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    store = "MongoDB at MONGODB_URL" if os.environ.get("MONGODB_URL") else "in-process stand-in"
    extra_env = {
        "PDS_SIM_SYNTHETIC": "1",
        "INGEST_PDS_RATE_LIMIT": "100000",
        "INGEST_PDS_CONCURRENCY": "50",
        "DISPATCH_SMS_RATE_LIMIT": "100000",
        "FIRETEXT_SIM_RECEIPT_DELAY_MS": str(args.receipt_delay_ms),
        "FIRETEXT_SIM_CREDIT": str(10 * args.rows),
        "GATEWAY_MAX_ROWS": str(max(args.rows, 100_000)),
    }
    if url := os.environ.get("MONGODB_URL"):
        extra_env["MONGODB_URL"] = url
    stack = Stack(log_dir=log_dir, extra_env=extra_env, instances=instances(args.instances))
    print(f"campaign benchmark: {args.rows:,} rows, {store}, logs in {log_dir}", flush=True)
    ok = False
    try:
        stack.start()
        journey = Journey(stack, args)
        journey.run()
        time.sleep(3.0)  # the outbox drains within a second or two of the last delivery
        depths = asyncio.run(queue_depths(stack))
        print()
        print(report(journey, store, depths))
        dead = sum(v for k, v in depths.items() if k.endswith(".dlq"))
        ok = dead == 0 and depths[RECORD_ENTRIES.queue] == journey.delivered
    finally:
        stop_processes(stack.processes)
        settings = RabbitSettings(rabbitmq_url=stack.rabbitmq_url, cohort_namespace=stack.namespace)
        asyncio.run(delete_namespace(settings))
        if ok and not args.keep_logs:
            shutil.rmtree(log_dir, ignore_errors=True)
    return 0 if ok else 1
