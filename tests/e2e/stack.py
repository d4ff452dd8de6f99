"""Runs every service and simulator as a subprocess, as `make run` does, on free ports and in a
private RabbitMQ namespace, so the end-to-end tests exercise the real processes."""

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from cohort_testing.mesh_sandbox import FakeGp, MeshSandbox
from cohort_testing.ports import free_port

from .paths import ROOT
from .readiness import answers

MODULES = {
    "pds": "pds_sim",
    "firetext": "firetext_sim",
    "campaign": "campaign",
    "ingest": "ingest",
    "dispatch": "dispatch",
    "gateway": "gateway",
    "web": "web",
}

#: The patient's side of links: the patient pages and the practices' GP Connect (``with_patient``).
PATIENT_MODULES = {"gpconnect": "gpconnect_sim", "patient": "patient"}

#: No broker of their own to be ready for: up is ready.
HEALTH_ONLY = ("pds", "firetext", "web", "gpconnect", "patient")
#: Signs patients' links in the end-to-end stacks (tests sign expired ones with it).
LINK_SECRET = "e2e-link-secret"
PATIENT_SERVICE_SECRET = "e2e-patient-service-secret-long-enough-for-hs256"


@dataclass
class Stack:
    log_dir: Path
    rabbitmq_url: str = field(
        default_factory=lambda: os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    )
    namespace: str = field(default_factory=lambda: f"e2e-{uuid.uuid4().hex[:10]}")
    webhook_secret: str = "e2e-webhook-secret"
    jwt_secret: str = "e2e-jwt-secret-that-is-long-enough-for-hs256"
    extra_env: dict[str, str] = field(default_factory=dict)
    #: "auto": the real MongoDB at ``MONGODB_URL`` when the environment has one (the end-to-end
    #: conftest sets it from the server the session found), else the in-process stand-in;
    #: "standin"; or a MongoDB URL.
    store: str = "auto"
    #: Instances per service (default one each); the second of ``dispatch`` is ``dispatch-2``.
    instances: dict[str, int] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    #: One per OS process (two campaign instances on the stand-in share one process).
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    #: Every instance's name, whichever process serves it.
    endpoints: list[str] = field(default_factory=list)
    #: Save to record: also run the record service, mesh-sandbox and the fake GP system
    #: (answering by the NHS number's last digit, as ``FAKE_GP_BEHAVIOURS``).
    with_record: bool = False
    fake_gp_behaviours: str = ""
    sandbox: MeshSandbox | None = None
    fake_gp: FakeGp | None = None
    #: Also run the patient pages and the GP Connect simulator; links open the patient pages.
    with_patient: bool = False

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def env(self) -> dict[str, str]:
        for name in ("gateway", "campaign", "ingest", "dispatch", "pds", "firetext", "web"):
            self.ports.setdefault(name, free_port())
        env = {
            **os.environ,
            "RABBITMQ_URL": self.rabbitmq_url,
            "COHORT_NAMESPACE": self.namespace,
            "GATEWAY_PORT": str(self.ports["gateway"]),
            "GATEWAY_JWT_SECRET": self.jwt_secret,
            "GATEWAY_WEBHOOK_SECRET": self.webhook_secret,
            "CAMPAIGN_PORT": str(self.ports["campaign"]),
            "CAMPAIGN_SWEEP_INTERVAL_S": "1",
            # Tests send at any hour: quiet hours (on by default, 20:00-08:00, Sundays and bank
            # holidays) would hold their texts at night. Unit tests and one end-to-end test
            # (test_quiet_hours_e2e.py) prove quiet hours hold a send.
            "CAMPAIGN_QUIET_HOURS": "off",
            "INGEST_PORT": str(self.ports["ingest"]),
            "INGEST_PDS_BASE_URL": f"{self.url('pds')}/personal-demographics/FHIR/R4",
            "INGEST_PDS_RATE_LIMIT": "2000",
            "DISPATCH_PORT": str(self.ports["dispatch"]),
            "DISPATCH_FIRETEXT_BASE_URL": self.url("firetext"),
            "DISPATCH_RECEIPT_URL": f"{self.url('gateway')}/v1/webhooks/firetext/receipts",
            "DISPATCH_WEBHOOK_SECRET": self.webhook_secret,
            "DISPATCH_SMS_RATE_LIMIT": "2000",
            # Emails' one-click unsubscribe (RFC 8058) is the gateway's public endpoint.
            "CAMPAIGN_UNSUBSCRIBE_BASE_URL": f"{self.url('gateway')}/v1/unsubscribe/",
            "PDS_SIM_PORT": str(self.ports["pds"]),
            "PDS_SIM_PATIENTS": str(ROOT / "simulators/pds/data/patients.ndjson"),
            "PDS_SIM_SYNTHETIC": "1",
            "FIRETEXT_SIM_PORT": str(self.ports["firetext"]),
            "FIRETEXT_SIM_RECEIPT_DELAY_MS": "100",
            "WEB_PORT": str(self.ports["web"]),
            "WEB_GATEWAY_URL": self.url("gateway"),
            "WEB_JWT_SECRET": self.jwt_secret,
            "WEB_DEV_SIGN_IN": "1",
            # No browser a test drives reaches outside this machine (the NHS font's host).
            "WEB_NHS_FONTS": "0",
        }
        if self.with_record:
            env.update(self.record_env())
        if self.with_patient:
            env.update(self.patient_env())
        env.update(self.extra_env)
        if self.store == "standin":
            env.pop("MONGODB_URL", None)
        elif self.store != "auto":
            env["MONGODB_URL"] = self.store
        if env.get("MONGODB_URL"):
            # A real server outlives the run: each stack gets a database of its own.
            env.setdefault(
                "CAMPAIGN_MONGODB_DATABASE", f"cohort_{self.namespace.replace('-', '_')}"
            )
            env.setdefault(
                "RECORD_MONGODB_DATABASE", f"cohort_record_{self.namespace.replace('-', '_')}"
            )
        return env

    def record_env(self) -> dict[str, str]:
        self.ports.setdefault("record", free_port())
        mesh_url = self.sandbox.url if self.sandbox is not None else ""
        return {
            "RECORD_PORT": str(self.ports["record"]),
            "RECORD_MESH_URL": mesh_url,
            "RECORD_ORGANISATIONS_FILE": str(ROOT / "config/organisations.json"),
            "RECORD_PRACTICES": '{"A81001": {"addressing": "mailbox", "mailbox": "A81001GP1"},'
            ' "A81002": {"addressing": "mailbox", "mailbox": "A81002GP1"}}',
            "RECORD_POLL_INTERVAL_S": "0.5",
            "RECORD_SEND_INTERVAL_S": "0.2",
            "RECORD_TIMEOUT_SWEEP_INTERVAL_S": "1",
            "RECORD_CLAIM_S": "10",
        }

    def patient_env(self) -> dict[str, str]:
        for name in PATIENT_MODULES:
            self.ports.setdefault(name, free_port())
        return {
            "GPCONNECT_SIM_PORT": str(self.ports["gpconnect"]),
            "CAMPAIGN_GPCONNECT_BASE_URL": f"{self.url('gpconnect')}/{{ods}}/STU3/1/gpconnect",
            "CAMPAIGN_LINK_BASE_URL": f"{self.url('patient')}/l/",
            "CAMPAIGN_LINK_SECRET": LINK_SECRET,
            # Wrong dates of birth are not spaced out here (the campaign tests prove they are).
            "CAMPAIGN_DOB_RETRY_DELAY_S": "0",
            "GATEWAY_PATIENT_SERVICE_SECRET": PATIENT_SERVICE_SECRET,
            # Every simulated patient of a run comes from one address (127.0.0.1), so the
            # per-address limit would count the whole module's journeys as one person's; the
            # limit itself is proven by the gateway's unit tests.
            "GATEWAY_PATIENT_REQUESTS_PER_MINUTE": "60000",
            "GATEWAY_PATIENT_BURST": "10000",
            "PATIENT_PORT": str(self.ports["patient"]),
            "CAMPAIGN_UNSUBSCRIBE_PAGE_URL": f"{self.url('patient')}/u/",
            "PATIENT_GATEWAY_URL": self.url("gateway"),
            "PATIENT_GATEWAY_SECRET": PATIENT_SERVICE_SECRET,
            "PATIENT_NHS_FONTS": "0",
        }

    def start_mesh(self) -> None:
        """mesh-sandbox and the fake GP system, before the services."""
        self.sandbox = MeshSandbox(self.log_dir, self.log_dir / "mesh-store").start()
        self.fake_gp = FakeGp(self.log_dir, self.sandbox.url, self.fake_gp_behaviours).start()

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if self.with_record:
            self.start_mesh()
        env = self.env()
        modules = {**MODULES, "record": "record"} if self.with_record else dict(MODULES)
        if self.with_patient:
            modules |= PATIENT_MODULES
        for name, module in modules.items():
            count = self.instances.get(name, 1)
            names = [name] + [f"{name}-{n}" for n in range(2, count + 1)]
            for instance in names:
                self.ports.setdefault(instance, free_port())
            self.endpoints += names
            if name == "campaign" and count == 2 and "MONGODB_URL" not in env:
                # The in-process store cannot be shared between processes: one process runs
                # both instances (see campaign_pair.py).
                pair_env = {**env, "CAMPAIGN_SECOND_PORT": str(self.ports["campaign-2"])}
                self._spawn(name, ["-m", "tests.e2e.campaign_pair"], pair_env)
                continue
            for instance in names:
                port_env = {f"{name.upper()}_PORT": str(self.ports[instance])}
                if name in ("pds", "firetext", "gpconnect"):
                    port_env = {}
                self._spawn(instance, ["-m", module], {**env, **port_env})
        self.wait_ready()

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        # Appended: a respawned instance keeps its predecessor's log (the log scan reads all).
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, *args], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
        )

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown, nothing flushed, unacked messages go back to their queues."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def respawn(self, name: str, module: str, *, wait: bool = True) -> None:
        """Start instance ``name`` (``dispatch`` or ``dispatch-2``) again on its own port; with
        ``wait``, return once every instance is ready."""
        service = name.split("-")[0]
        port_env = {f"{service.upper()}_PORT": str(self.ports[name])}
        self._spawn(name, ["-m", module], {**self.env(), **port_env})
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        pending = {
            name: f"{self.url(name)}/{'healthz' if name.split('-')[0] in HEALTH_ONLY else 'readyz'}"
            for name in self.endpoints or self.processes
        }
        while pending:
            self._check_running()
            for name, url in list(pending.items()):
                if answers(url, timeout=1.0):
                    del pending[name]
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready in {timeout}s: {sorted(pending)}")
            time.sleep(0.2)
        # A service that lost its port to another exits just after starting, possibly after
        # the other answered its readiness check.
        self._check_running()

    def _check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited early:\n{self.log(name)}")

    def log(self, name: str) -> str:
        return (self.log_dir / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        try:
            self._stop_services()
        finally:
            for mesh_process in (self.fake_gp, self.sandbox):
                if mesh_process is not None:
                    mesh_process.stop()

    def _stop_services(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name, process in self.processes.items():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                raise RuntimeError(f"{name} did not stop on SIGTERM") from None
