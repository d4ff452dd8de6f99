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
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
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
from cohort_testing.rabbit import drain, rabbit_channel
from gateway.adapters.token_verifiers import issue_token

POLL_S = 0.25
SHORT = {
    "upload accepted": "upload",
    "list resolved and recorded": "list",
    "review": "review",
    "send accepted": "send",
    "all handed to Firetext": "handover",
    "all receipts settled": "receipts",
    "all record entries published": "record",
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
    parser.add_argument(
        "--read-seconds", type=float, default=10.0, help="reads alone after the journey (0: none)"
    )
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
        self.reads_alone = Reads()

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
        self.phase("all record entries published", self.resolved, self.recorded)
        if self.args.readers and self.args.read_seconds:
            readers = ReadLoad(self.stack, self.campaign_id, self.args.readers)
            readers.start()
            time.sleep(self.args.read_seconds)
            self.reads_alone = readers.stop()

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

    def recorded(self) -> None:
        """Until the save-to-record outbox has published an entry per delivered patient (the
        campaign instances' own count; the queue itself is read at the end)."""

        def done() -> bool:
            return outbox_published(self.stack) >= self.delivered

        wait_until("the record entries", done, self.args.timeout, self.stack)


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
        # aiohttp: an httpx2 client's own pool costs milliseconds of CPU per request at this
        # concurrency (reference/limits.md), which would measure the client, not the gateway.
        token = issue_token(self.stack.jwt_secret, "reader", "A81001")
        connector = aiohttp.TCPConnector(limit=self.readers)
        headers = {"Authorization": f"Bearer {token}"}
        async with aiohttp.ClientSession(
            base_url=self.stack.url("gateway"), headers=headers, connector=connector
        ) as client:
            started = time.monotonic()
            await asyncio.gather(*(self._reader(client, n) for n in range(self.readers)))
            self.reads.seconds = time.monotonic() - started

    async def _reader(self, client: aiohttp.ClientSession, n: int) -> None:
        paths = [f"/v1/campaigns/{self.campaign_id}", "/v1/campaigns"]
        i = n
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                async with client.get(paths[i % 2]) as response:
                    await response.read()
                    ok = response.status == 200
            except aiohttp.ClientError:
                ok = False
            self.reads.latencies_ms.append((time.monotonic() - started) * 1000)
            self.reads.requests += 1
            self.reads.errors += not ok
            i += 1


def outbox_published(stack: Stack) -> float:
    """Record entries the campaign processes say they published (each process once: two
    instances in one process, the stand-in's pair, share one registry)."""
    total = 0.0
    for name in stack.processes:
        if name == "campaign" or name.startswith("campaign-"):
            metrics = httpx2.get(
                f"{stack.url(name)}/metrics", timeout=10, follow_redirects=True
            ).text
            for line in metrics.splitlines():
                if line.startswith("campaign_outbox_published_total "):
                    total += float(line.split()[1])
    return total


async def queue_depths(stack: Stack) -> tuple[dict[str, int], Counter[str]]:
    """Messages waiting in every dead-letter queue; and every save-to-record entry ever
    published (nothing consumes that queue here), per recipient, read out of their batches."""
    topology = Topology(RabbitSettings(cohort_namespace=stack.namespace))
    depths = {}
    async with rabbit_channel(stack.rabbitmq_url) as channel:
        underlay = await channel.get_underlay_channel()
        for queue in [f"{r.queue}.dlq" for r in ALL_ROUTES]:
            result = await underlay.queue_declare(topology.name(queue), passive=True)
            depths[queue] = int(result.message_count or 0)
    entries: Counter[str] = Counter()
    for message in await drain(stack.rabbitmq_url, topology.name(RECORD_ENTRIES.queue)):
        body = json.loads(message.body)
        for entry in body.get("entries", [body]):
            entries[entry["recipient_id"]] += 1
    return depths, entries


def report(journey: Journey, store: str, dlq: dict[str, int], entries: Counter[str]) -> str:
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
    for title, reads in (
        (f"reads during the hand-over ({journey.args.readers} clients)", journey.reads),
        (f"reads alone, afterwards ({journey.args.readers} clients)", journey.reads_alone),
    ):
        if reads.requests:
            ordered = sorted(reads.latencies_ms)
            p99 = ordered[int(len(ordered) * 0.99) - 1]
            lines.append(
                f"\n{title}: {reads.requests / reads.seconds:,.0f} req/s, "
                f"p50 {statistics.median(ordered):.0f} ms, "
                f"p99 {p99:.0f} ms, errors {reads.errors}"
            )
    lines.append(
        f"\nrecord entries published: {sum(entries.values()):,} for {len(entries):,} patients, "
        f"at most {max(entries.values(), default=0)} each (delivered: {journey.delivered:,})"
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
        time.sleep(2.0)  # a duplicate, if there were one, would follow within the drain interval
        dlq, entries = asyncio.run(queue_depths(stack))
        print()
        print(report(journey, store, dlq, entries))
        once = len(entries) == journey.delivered and set(entries.values()) <= {1}
        ok = sum(dlq.values()) == 0 and once
    finally:
        stop_processes(stack.processes)
        settings = RabbitSettings(rabbitmq_url=stack.rabbitmq_url, cohort_namespace=stack.namespace)
        asyncio.run(delete_namespace(settings))
        if ok and not args.keep_logs:
            shutil.rmtree(log_dir, ignore_errors=True)
    return 0 if ok else 1
