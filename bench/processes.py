"""The services and simulators as subprocesses, started by the end-to-end tests' ``Stack`` (so
the benchmark runs exactly what ``make run`` runs), plus extra ingest instances, in a private
RabbitMQ namespace that is deleted afterwards."""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
from tests.e2e.stack import Stack

from cohort_platform.settings import RabbitSettings
from cohort_platform.testing import delete_namespace
from cohort_testing.ports import free_port

STOP_GRACE_S = 30.0


def ingest_names(instances: int) -> list[str]:
    return ["ingest", *(f"ingest{i}" for i in range(2, instances + 1))]


def stop_processes(processes: dict[str, subprocess.Popen[bytes]]) -> list[str]:
    """SIGTERM to all, then SIGKILL to whatever has not exited after the grace period; returns
    the names that had to be killed. Ctrl-C is ignored meanwhile so cleanup is not cut short."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    killed: list[str] = []
    try:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for name, process in processes.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                killed.append(name)
    finally:
        signal.signal(signal.SIGINT, previous)
    return killed


class BenchStack:
    def __init__(self, log_dir: Path, extra_env: dict[str, str], ingest_instances: int) -> None:
        if "MONGODB_URL" in os.environ:
            # The Stack drops MONGODB_URL unless asked: use a real MongoDB when there is one.
            extra_env = {"MONGODB_URL": os.environ["MONGODB_URL"], **extra_env}
        self.stack = Stack(
            log_dir=log_dir, namespace=f"bench-{uuid.uuid4().hex[:10]}", extra_env=extra_env
        )
        self.ingests = ingest_names(ingest_instances)
        # One long-lived client for polling: a new httpx2 client costs ~10 ms of CPU (it
        # builds an SSL context), which would be charged to the benchmark's own figures.
        self.http = httpx2.Client(timeout=10.0, follow_redirects=True)

    @property
    def processes(self) -> dict[str, subprocess.Popen[bytes]]:
        return self.stack.processes

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def url(self, name: str) -> str:
        return self.stack.url(name)

    def start(self) -> None:
        self.stack.start()
        env = self.stack.env()
        for name in self.ingests[1:]:
            self.stack.ports[name] = free_port()
            log = (self.stack.log_dir / f"{name}.log").open("wb")
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "ingest"],
                env={**env, "INGEST_PORT": str(self.stack.ports[name])},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.stack.wait_ready()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.stack.log(name)}")

    def metrics(self, name: str) -> dict[str, float]:
        """The process's Prometheus samples, keyed ``name{labels}``."""
        text = self.http.get(f"{self.url(name)}/metrics").text
        samples: dict[str, float] = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                samples[key] = float(value)
        return samples

    def wait_for_ingests(self, timeout_s: float = 30.0) -> None:
        """Until every ingest instance answers (the stack waits for the first only). They
        share the PDS limit from their first lookup on (cohort_platform.busy_sharing), so
        there is nothing else to wait for."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                for name in self.ingests:
                    self.metrics(name)
                return
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def stop(self) -> list[str]:
        self.http.close()
        try:
            return stop_processes(self.processes)
        finally:
            settings = RabbitSettings(
                rabbitmq_url=self.stack.rabbitmq_url, cohort_namespace=self.stack.namespace
            )
            try:
                asyncio.run(delete_namespace(settings))
            except Exception as exc:  # reported, so the original failure is not hidden
                print(f"  (namespace {self.stack.namespace} not deleted: {exc!r})")


@contextmanager
def running(
    log_dir: Path, extra_env: dict[str, str], ingest_instances: int
) -> Iterator[BenchStack]:
    stack = BenchStack(log_dir, extra_env, ingest_instances)
    try:
        stack.start()
        yield stack
    finally:
        killed = stack.stop()
        if killed:
            print(f"  (had to SIGKILL: {', '.join(killed)})")


def start_pds_simulator(log_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The PDS simulator alone (synthetic patients, no rate limit), for the client benchmark."""
    port = free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / "pds-client-bench.log").open("wb")
    env = {**os.environ, "PDS_SIM_PORT": str(port), "PDS_SIM_SYNTHETIC": "1"}
    for knob in ("PDS_SIM_RATE_LIMIT", "PDS_SIM_LATENCY_MS", "PDS_SIM_ERROR_RATE", "PDS_SIM_AUTH"):
        env.pop(knob, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pds_sim"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError("the PDS simulator exited early")
        try:
            if httpx2.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return process, base
        except httpx2.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_processes({"pds": process})
            raise RuntimeError("the PDS simulator did not start in 30 s")
        time.sleep(0.2)
