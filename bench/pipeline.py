"""One upload through the running services: gateway accept time, resolution rate, CPU and
memory per process, and what the PDS simulator saw."""

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from gateway.adapters.token_verifiers import issue_token

from .patient_csv import build_csv
from .processes import BenchStack, running
from .procstats import CpuMeter, find_broker_pid

POLL_S = 0.5


@dataclass(frozen=True)
class PipelineConfig:
    label: str
    rows: int
    ingest_instances: int
    #: Requests/s the PDS simulator allows before answering 429; 0 is unlimited.
    pds_sim_rate_limit: float
    #: INGEST_PDS_RATE_LIMIT: the deployment-wide pace ingest keeps to.
    ingest_pds_rate_limit: float
    concurrency: int
    timeout_s: float

    def env(self) -> dict[str, str]:
        return {
            "PDS_SIM_RATE_LIMIT": str(self.pds_sim_rate_limit),
            "INGEST_PDS_RATE_LIMIT": str(self.ingest_pds_rate_limit),
            "INGEST_PDS_CONCURRENCY": str(self.concurrency),
            "GATEWAY_MAX_ROWS": str(max(self.rows, 100_000)),
        }


@dataclass
class Sample:
    at: float
    #: Rows the list shows as processed: recorded by campaign.
    processed: int
    #: Rows ingest has resolved and published (its metrics, all instances).
    ingest_resolved: int
    pds_requests: int
    pds_throttled: int


def steady_rate(points: list[tuple[float, int]]) -> tuple[float, float]:
    """Per second from the first sample above zero to the first that reached the final count,
    so neither the start-up (upload, first batch) nor idle polls at the end are counted; and
    the time that final count was reached."""
    started = [(at, value) for at, value in points if value > 0]
    if not started:
        return 0.0, 0.0
    final = started[-1][1]
    end = next(point for point in started if point[1] == final)
    first = started[0]
    if end[0] <= first[0]:
        # Everything between two polls: the rate since the start is all there is.
        return (final / end[0] if end[0] else 0.0), end[0]
    return (end[1] - first[1]) / (end[0] - first[0]), end[0]


@dataclass
class PipelineResult:
    config: PipelineConfig
    accept_s: float = 0.0
    samples: list[Sample] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)
    complete: bool = False
    poll_errors: int = 0
    #: (seconds since the upload started, processed rows) of each progress poll answered.
    list_points: list[tuple[float, int]] = field(default_factory=list)
    #: Name -> (CPU seconds, RSS MB when the upload started, peak RSS MB).
    processes: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    machine_cpu_s: float = 0.0
    #: ingest instance -> its Prometheus samples at the end.
    ingest_metrics: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def wall_s(self) -> float:
        return self.samples[-1].at if self.samples else 0.0

    @property
    def processed(self) -> int:
        return int(self.final.get("processed_rows", 0))

    @property
    def ingest_resolved(self) -> int:
        return self.samples[-1].ingest_resolved if self.samples else 0

    def list_rate(self) -> tuple[float, float]:
        """Rows/s as the list shows them (resolved by ingest and recorded by campaign)."""
        return steady_rate(self.list_points)

    def ingest_rate(self) -> tuple[float, float]:
        return steady_rate([(s.at, s.ingest_resolved) for s in self.samples])

    def pds_window(self) -> tuple[float, int, int]:
        """Seconds from the first PDS request seen to the last, requests and 429s."""
        if not self.samples:
            return 0.0, 0, 0
        base, last = self.samples[0], self.samples[-1]
        requests = [(s.at, s.pds_requests - base.pds_requests) for s in self.samples]
        started = [at for at, value in requests if value > 0]
        if not started:
            return 0.0, 0, 0
        _, ended = steady_rate(requests)
        # The first active sample's requests were made since the previous poll.
        return (
            ended - started[0] + POLL_S,
            last.pds_requests - base.pds_requests,
            last.pds_throttled - base.pds_throttled,
        )


def _api(stack: BenchStack) -> httpx2.Client:
    token = issue_token(stack.stack.jwt_secret, "bench", "A81001")
    return httpx2.Client(
        base_url=stack.url("gateway"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=600.0,
    )


def _meter(stack: BenchStack) -> CpuMeter:
    pids = stack.pids()
    pids["bench (this process)"] = os.getpid()
    if (broker := find_broker_pid()) is not None:
        pids["rabbitmq"] = broker
    return CpuMeter(pids)


def ingest_rows(metrics: dict[str, float], *, failed_only: bool = False) -> int:
    """Rows an ingest instance has reported on (all outcomes), or only those it could not
    resolve (any outcome but ``resolved``)."""
    return int(
        sum(
            value
            for key, value in metrics.items()
            if key.startswith("ingest_rows_resolved_total{")
            and not (failed_only and 'outcome="resolved"' in key)
        )
    )


class _ListPoller(threading.Thread):
    """Polls the list's progress on its own thread: while campaign is busy a poll can take the
    gateway's whole RPC timeout, which must not stall the other samples."""

    def __init__(self, api: httpx2.Client, path: str, t0: float, result: PipelineResult) -> None:
        super().__init__(name="list-poller", daemon=True)
        self.api, self.path, self.t0, self.result = api, path, t0, result
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                response = self.api.get(self.path, timeout=60.0)
            except Exception:
                if self.stopped.is_set():
                    return  # the client was closed under an unfinished poll
                response = None
            if response is not None and response.status_code == 200:
                body = response.json()
                self.result.final = body
                at = time.monotonic() - self.t0
                self.result.list_points.append((at, int(body["processed_rows"])))
            else:
                # Campaign busy past the RPC timeout: the gateway answers 503; keep polling.
                self.result.poll_errors += 1
            self.stopped.wait(POLL_S)

    def stop(self) -> None:
        # Not waiting out a poll stuck on a busy campaign: the thread is a daemon.
        self.stopped.set()
        self.join(timeout=2.0)


class _Watcher:
    """Samples the PDS simulator's counters and ingest's metrics while the list resolves."""

    def __init__(self, stack: BenchStack, result: PipelineResult) -> None:
        self.stack, self.result = stack, result
        self.t0 = 0.0

    def pds_stats(self) -> tuple[int, int]:
        stats = self.stack.http.get(f"{self.stack.url('pds')}/_sim/stats").json()
        return int(stats["requests"]), int(stats["throttled"])

    def poll(self) -> Sample:
        self.stack.check_alive()
        requests, throttled = self.pds_stats()
        resolved = sum(ingest_rows(self.stack.metrics(name)) for name in self.stack.ingests)
        processed = int(self.result.final.get("processed_rows", 0))
        sample = Sample(time.monotonic() - self.t0, processed, resolved, requests, throttled)
        self.result.samples.append(sample)
        return sample

    def follow(self, wait_for: str) -> None:
        deadline = self.t0 + self.result.config.timeout_s
        reported = 0.0
        rows = self.result.config.rows
        while True:
            sample = self.poll()
            if sample.at - reported >= 15:
                reported = sample.at
                print(
                    f"  {sample.at:6.0f} s: ingest resolved {sample.ingest_resolved:,}, "
                    f"list shows {sample.processed:,} of {rows:,} rows"
                )
            self.result.complete = self.result.final.get("status") == "complete"
            if self.result.complete or (wait_for == "ingest" and sample.ingest_resolved >= rows):
                return
            if time.monotonic() > deadline:
                return
            time.sleep(POLL_S)


def _upload(
    stack: BenchStack, result: PipelineResult, csv_bytes: bytes, meter: CpuMeter, wait_for: str
) -> None:
    with _api(stack) as api:
        created = api.post("/v1/campaigns", json={"name": "Benchmark", "type": "basic"})
        if created.status_code != 201:
            raise RuntimeError(f"create campaign: {created.status_code} {created.text}")
        campaign_id = created.json()["id"]
        watcher = _Watcher(stack, result)
        requests, throttled = watcher.pds_stats()
        meter.start()
        watcher.t0 = time.monotonic()
        result.samples.append(Sample(0.0, 0, 0, requests, throttled))
        upload = api.post(
            f"/v1/campaigns/{campaign_id}/patient-lists",
            files={"file": ("bench.csv", csv_bytes, "text/csv")},
            data={"channel": "sms"},
        )
        result.accept_s = time.monotonic() - watcher.t0
        if upload.status_code != 202:
            raise RuntimeError(f"upload: {upload.status_code} {upload.text[:500]}")
        path = f"/v1/campaigns/{campaign_id}/patient-lists/{upload.json()['id']}"
        poller = _ListPoller(api, path, watcher.t0, result)
        poller.start()
        try:
            watcher.follow(wait_for)
        finally:
            meter.stop()
            poller.stop()


def run_pipeline(config: PipelineConfig, log_dir: Path, wait_for: str = "list") -> PipelineResult:
    """``wait_for``: ``list`` until the list is complete; ``ingest`` until ingest has resolved
    every row, whether or not campaign has recorded them all yet."""
    print(
        f"\n== {config.label}: {config.rows:,} rows, {config.ingest_instances} ingest instance(s)"
    )
    csv_bytes = build_csv(config.rows)
    result = PipelineResult(config)
    with running(log_dir, config.env(), config.ingest_instances) as stack:
        if config.ingest_instances > 1:
            stack.wait_for_ingests()
        meter = _meter(stack)
        print(f"  services ready; uploading {len(csv_bytes) / 1e6:.1f} MB")
        _upload(stack, result, csv_bytes, meter, wait_for)
        result.processes = {
            name: (meter.cpu_s(name), meter.start_rss_mb(name), meter.peak_rss_mb(name))
            for name in meter.pids
        }
        result.machine_cpu_s = meter.machine_cpu_s
        result.ingest_metrics = {name: stack.metrics(name) for name in stack.ingests}
    return result
