"""The chaos run (issue 15, part 1; ``make chaos``, figures in docs/reliability.md).

An SMS campaign through the public API, every service at two instances on a RabbitMQ node of
the run's own, while a driver, at random moments of each phase (upload and resolution,
release and sending, receipts): SIGKILLs service instances (each several times across the run),
restarts RabbitMQ once (``stop_app``/``start_app``), makes the Firetext simulator time out and
answer 5xx for a while, makes PDS answer 429 and 5xx for a while, and has PDS refuse our
credentials (401) for a while. Then it counts:

- recipients lost: rows that do not end in exactly one final state with its reason;
- handsets messaged twice: the simulator's own count per reference and number;
- messages in any dead-letter queue;
- the API's delivered count against the simulator's.

Campaign is not killed here: on the in-process stand-in (no ``MONGODB_URL``) its state dies with
the process; with a real MongoDB the driver kills it too.

``python -m tests.e2e.chaos --rows 10000`` prints the figures."""

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import httpx2

from cohort_contracts.routing import ALL_ROUTES
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from cohort_testing.nhs_numbers import valid_numbers
from cohort_testing.rabbit import drain
from gateway.adapters.token_verifiers import issue_token
from pds_sim.synthetic import synthetic_patient

from .log_scan import scan, service_logs
from .private_broker import PrivateBroker
from .sending_flow import IN_FLIGHT, list_csv
from .stack import MODULES, Stack

ORG = "A81001"
TWO_OF_EACH = {"campaign": 2, "ingest": 2, "dispatch": 2, "gateway": 2}
#: Short enough that faults and kills settle within the run; long enough to be real faults.
CHAOS_ENV = {
    "CAMPAIGN_SWEEP_INTERVAL_S": "1",
    # A claim whose dispatch was killed mid-send becomes outcome_unknown, then its receipt
    # (if Firetext took it) settles it.
    "CAMPAIGN_CLAIM_TIMEOUT_S": "20",
    "INGEST_PDS_RETRY_ATTEMPTS": "8",
    "INGEST_PDS_BACKOFF_MAX_S": "2",
    "INGEST_PDS_ATTEMPT_TIMEOUT_S": "2",
    "INGEST_PDS_READ_TIMEOUT_S": "1.5",
    "INGEST_PDS_CREDENTIALS_RETRY_INITIAL_S": "0.5",
    "INGEST_PDS_CREDENTIALS_RETRY_MAX_S": "2",
    "DISPATCH_FIRETEXT_READ_TIMEOUT_S": "1.5",
    "DISPATCH_RETRY_MAX_BACKOFF_S": "2",
    "DISPATCH_SEND_ATTEMPTS": "6",
    # Firetext retries a receipt the gateway did not take (a killed instance) for a while.
    "FIRETEXT_SIM_RECEIPT_ATTEMPTS": "12",
    "FIRETEXT_SIM_RECEIPT_BACKOFF_MS": "200",
    "FIRETEXT_SIM_RECEIPT_DELAY_MS": "200",
}


PHASE_SECONDS = 15


@dataclass
class Figures:
    rows: int
    seconds: float = 0.0
    list_succeeded: int = 0
    list_failed_by_reason: dict[str, int] = field(default_factory=dict)
    recipients_by_status: dict[str, int] = field(default_factory=dict)
    recipients_lost: int = 0
    recipients_without_reason: int = 0
    handsets_messaged_twice: int = 0
    simulator_messages: int = 0
    simulator_delivered: int = 0
    api_delivered: int = 0
    #: Dead-letter queues holding anything, and why their messages died.
    dead_letters: dict[str, dict[str, int]] = field(default_factory=dict)
    injected: list[str] = field(default_factory=list)
    campaign_kill: str = ""
    log_findings: int = 0

    def failed_work(self) -> dict[str, int]:
        """Dead letters, every one failed work: RPC requests included. (Requests whose asker
        had stopped waiting, or whose asker's reply queue had gone, used to be dead-lettered
        around the broker restart; they are now dropped and counted, ``cohort_rpc_abandoned``.)"""
        return {queue: sum(reasons.values()) for queue, reasons in self.dead_letters.items()}

    def problems(self) -> list[str]:
        found = []
        if self.recipients_lost:
            found.append(f"{self.recipients_lost} recipients lost")
        if self.recipients_without_reason:
            found.append(f"{self.recipients_without_reason} final states without a reason")
        if self.handsets_messaged_twice:
            found.append(f"{self.handsets_messaged_twice} handsets messaged twice")
        if failed := self.failed_work():
            found.append(f"dead letters: {failed}")
        if self.api_delivered != self.simulator_delivered:
            found.append(f"API delivered {self.api_delivered} != {self.simulator_delivered}")
        if self.log_findings:
            found.append(f"{self.log_findings} log lines with patient data")
        return found


class Api:
    """The public API through whichever gateway instance answers (one may be dead)."""

    def __init__(self, stack: Stack) -> None:
        token = issue_token(stack.jwt_secret, "chaos", ORG)
        self._clients = [
            httpx2.Client(
                base_url=stack.url(name),
                headers={"Authorization": f"Bearer {token}"},
                timeout=30.0,
            )
            for name in ("gateway", "gateway-2")
        ]

    def call(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        deadline = time.monotonic() + 120
        while True:
            for client in self._clients:
                try:
                    response = client.request(method, path, **kwargs)
                except httpx2.TransportError:
                    continue
                if response.status_code not in (502, 503, 504):
                    return response
            if time.monotonic() > deadline:
                raise AssertionError(f"no gateway answered {method} {path}")
            time.sleep(0.5)


PHASES = ("resolving", "sending", "receipts")


def _reached(now: str, phase: str) -> bool:
    order = ["starting", *PHASES, "stopped"]
    return order.index(now) >= order.index(phase)


class Driver(threading.Thread):
    """Injects the faults of each phase at random moments while the phase lasts."""

    def __init__(self, stack: Stack, broker: PrivateBroker, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.stack, self.broker, self.rng = stack, broker, rng
        self.phase = "starting"
        self.done: list[str] = []
        self.errors: list[BaseException] = []
        #: The supervisor restarting each killed instance, until it is ready again.
        self.restarting: dict[str, threading.Thread] = {}
        self._halt = threading.Event()
        self._next = threading.Condition()
        restart_in = rng.choice(["resolving", "sending"])
        kill_campaign = bool(os.environ.get("MONGODB_URL"))
        self.plan: dict[str, list[Callable[[], str]]] = {
            "resolving": [
                lambda: self.kill("ingest"),
                lambda: self.pds("429", 2),
                lambda: self.kill("ingest-2"),
                lambda: self.pds("5xx", 2),
                lambda: self.pds("401", 4),
                lambda: self.kill("ingest"),
            ],
            "sending": [
                lambda: self.kill("dispatch"),
                lambda: self.firetext("timeout", 3),
                lambda: self.kill("dispatch-2"),
                lambda: self.firetext("5xx", 2),
                *([lambda: self.kill("campaign")] if kill_campaign else []),
            ],
            "receipts": [
                lambda: self.kill("gateway"),
                lambda: self.kill("gateway-2"),
                lambda: self.kill("dispatch"),
            ],
        }
        self.plan[restart_in].insert(rng.randrange(2), self.restart_broker)
        for actions in self.plan.values():
            rng.shuffle(actions)

    def enter(self, phase: str) -> None:
        with self._next:
            self.phase = phase
            self._next.notify_all()

    def stop(self) -> None:
        self._halt.set()
        self.enter("stopped")

    def run(self) -> None:
        try:
            for phase in PHASES:
                with self._next:
                    # A phase the run has already left still gets its faults, late.
                    self._next.wait_for(lambda p=phase: _reached(self.phase, p))  # type: ignore[misc]
                for action in self.plan[phase]:
                    if self._halt.wait(self.rng.uniform(0.2, 1.5)):
                        return
                    self.done.append(f"{self.phase}: {action()}")
        except BaseException as exc:  # reported by the run, which fails
            self.errors.append(exc)

    def kill(self, name: str) -> str:
        # Restarted as a supervisor would, in the background: the next fault may land while it
        # starts, and an instance that cannot start (the broker is down) is started again.
        if (earlier := self.restarting.get(name)) is not None:
            earlier.join(timeout=120)  # killed again only once it is back
        self.stack.kill(name)
        supervisor = threading.Thread(target=self._restart, args=(name,), daemon=True)
        supervisor.start()
        self.restarting[name] = supervisor
        return f"SIGKILL {name}, respawned"

    def _restart(self, name: str) -> None:
        module = MODULES[name.split("-")[0]]
        while True:
            self.stack.respawn(name, module, wait=False)
            process = self.stack.processes[name]
            while process.poll() is None:
                try:
                    if httpx2.get(f"{self.stack.url(name)}/readyz", timeout=1).status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
                time.sleep(0.3)
            time.sleep(1)  # exited while starting: as a supervisor would, start it again

    def pds(self, mode: str, seconds: float) -> str:
        self._fault("pds", mode, seconds, hang_s=3)
        return f"PDS {mode} for {seconds}s"

    def firetext(self, mode: str, seconds: float) -> str:
        self._fault("firetext", mode, seconds, hang_s=2.5)
        return f"Firetext {mode} for {seconds}s"

    def _fault(self, sim: str, mode: str, seconds: float, hang_s: float) -> None:
        body = {"mode": mode, "duration_s": seconds, "hang_s": hang_s}
        response = httpx2.post(f"{self.stack.url(sim)}/_sim/faults", json=body, timeout=10)
        response.raise_for_status()

    def restart_broker(self) -> str:
        started = time.monotonic()
        self.broker.restart_app(down_s=2)
        return f"RabbitMQ stop_app/start_app ({time.monotonic() - started:.1f}s)"


def patient_list(rows: int) -> list[tuple[str, Any]]:
    """``rows`` synthetic patients with their true dates of birth; every 100th a wrong one
    (DATE_OF_BIRTH_MISMATCH), so the list has failures of its own to account for."""
    from datetime import date

    chosen = []
    for n, number in enumerate(valid_numbers("999", rows), start=1):
        born = date.fromisoformat(str(synthetic_patient(number)["birthDate"]))
        chosen.append((number, date(1901, 1, 1) if n % 100 == 0 else born))
    return chosen


T = TypeVar("T")


def wait(what: str, probe: Callable[[], T | None], seconds: float) -> T:
    """What ``probe`` gives once it gives something true."""
    deadline = time.monotonic() + seconds
    while not (value := probe()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.5)
    return value


def all_recipients(api: Api, campaign_id: str) -> list[dict[str, Any]]:
    """Every recipient, as an API client reads them all: each page on from the last one's
    cursor (``next_after``)."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page_size": 500}
    while True:
        body = api.call("GET", f"/v1/campaigns/{campaign_id}/recipients", params=params).json()
        items += body["items"]
        if body["next_after"] is None:
            return items
        params["after"] = body["next_after"]


def run_chaos(rows: int, log_dir: Path, seed: int, settle_s: float = 600) -> Figures:
    # Not under log_dir: the broker runs as the rabbitmq user, who cannot enter a private
    # temporary directory of root's.
    broker = PrivateBroker(Path(tempfile.mkdtemp(prefix="cohort-chaos-rabbitmq-"))).start()
    # PDS and Firetext paced so that resolution and sending each take about 15 seconds
    # whatever the size: long enough for every fault planned for the phase to land in it.
    rate = str(max(50, rows // PHASE_SECONDS))
    pacing = {"INGEST_PDS_RATE_LIMIT": rate, "DISPATCH_SMS_RATE_LIMIT": rate}
    stack = Stack(
        log_dir=log_dir,
        rabbitmq_url=broker.url,
        instances=TWO_OF_EACH,
        extra_env={**CHAOS_ENV, **pacing},
    )
    figures = Figures(rows=rows)
    if not os.environ.get("MONGODB_URL"):
        figures.campaign_kill = (
            "skipped: campaign runs on the in-process stand-in here, whose state dies with it"
        )
    driver = Driver(stack, broker, random.Random(seed))
    try:
        stack.start()
        driver.start()
        started = time.monotonic()
        try:
            _campaign(stack, driver, rows, figures, settle_s)
        except AssertionError as exc:
            # The broker goes with the run: say what its dead-letter queues held first.
            dead = asyncio.run(_dead_letters(broker.url, stack.namespace))
            raise AssertionError(f"{exc}; dead letters: {dead}; faults: {driver.done}") from exc
        figures.seconds = round(time.monotonic() - started, 1)
        driver.stop()
        driver.join(timeout=120)
        for supervisor in driver.restarting.values():
            supervisor.join(timeout=120)
        stack.wait_ready()  # every killed instance came back
        if driver.errors:
            raise driver.errors[0]
        figures.injected = driver.done
        _count_the_provider(stack, figures)
        figures.dead_letters = asyncio.run(_dead_letters(broker.url, stack.namespace))
    finally:
        driver.stop()
        try:
            stack.stop()
        finally:
            broker.stop()
    figures.log_findings = len(scan(service_logs(log_dir)))
    return figures


def _campaign(stack: Stack, driver: Driver, rows: int, figures: Figures, settle_s: float) -> None:
    api = Api(stack)
    campaign_id = api.call("POST", "/v1/campaigns", json={"name": "Chaos", "type": "basic"})
    campaign_id = campaign_id.json()["id"]
    driver.enter("resolving")  # batches are resolved while the upload still publishes them
    upload = api.call(
        "POST",
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": ("chaos.csv", list_csv(patient_list(rows)), "text/csv")},
        data={"channel": "sms"},
    )
    assert upload.status_code == 202, upload.text
    url = upload.headers["location"]

    def resolved() -> dict[str, Any] | None:
        body: dict[str, Any] = api.call("GET", url).json()
        return body if body["status"] == "complete" else None

    progress = wait("the list to resolve", resolved, settle_s)
    succeeded: int = progress["succeeded"]
    figures.list_succeeded = succeeded
    figures.list_failed_by_reason = {
        r["reason_code"]: r["count"] for r in progress["failed_by_reason"]
    }
    figures.recipients_lost += rows - progress["succeeded"] - progress["failed"]
    api.call("PUT", f"/v1/campaigns/{campaign_id}/message", json={"body": "Flu jabs are here."})
    driver.enter("sending")
    sent = api.call(
        "POST",
        f"/v1/campaigns/{campaign_id}/send",
        json={"confirm_recipient_count": progress["succeeded"]},
    )
    assert sent.status_code == 202, sent.text

    def some_delivered() -> bool:
        counts: dict[str, int] = api.call("GET", f"/v1/campaigns/{campaign_id}").json()["counts"]
        return counts.get("delivered", 0) >= succeeded // 3

    wait("a third to be delivered", some_delivered, settle_s)
    driver.enter("receipts")

    def settled() -> list[dict[str, Any]] | None:
        everyone = all_recipients(api, campaign_id)
        busy = (
            driver.is_alive()
            and driver.phase != "stopped"
            and len(driver.done) < sum(len(a) for a in driver.plan.values())
        )
        if busy or any(r["status"] in IN_FLIGHT for r in everyone):
            return None
        # outcome_unknown is final for us, but a receipt Firetext is still retrying (a gateway
        # was down) may yet settle it: wait until the simulator has posted every receipt, and
        # campaign has had the time to apply them.
        stats = httpx2.get(f"{stack.url('firetext')}/_sim/stats", timeout=30).json()
        if stats["receipts_sent"] + stats["receipts_failed"] < stats["accepted_messages"]:
            return None
        delivered = sum(r["status"] == "delivered" for r in everyone)
        if delivered < _simulator_delivered(stack) and time.monotonic() < grace_until:
            return None
        return everyone

    grace_until = time.monotonic() + settle_s
    recipients = wait("every recipient to settle", settled, settle_s + 30)
    statuses = Counter(r["status"] for r in recipients)
    figures.recipients_by_status = dict(statuses)
    figures.api_delivered = statuses.get("delivered", 0)
    figures.recipients_lost += progress["succeeded"] - len({r["id"] for r in recipients})
    figures.recipients_without_reason = sum(
        1
        for r in recipients
        if r["status"] != "delivered" and not (r.get("reason_code") or r.get("reason"))
    )


def _simulator_delivered(stack: Stack) -> int:
    messages = httpx2.get(f"{stack.url('firetext')}/_sim/messages", timeout=60).json()
    return sum(1 for m in messages if m["status"] == "delivered")


def _count_the_provider(stack: Stack, figures: Figures) -> None:
    messages = httpx2.get(f"{stack.url('firetext')}/_sim/messages", timeout=60).json()
    per_handset = Counter((m["reference"], m["to"]) for m in messages)
    figures.simulator_messages = len(messages)
    figures.handsets_messaged_twice = sum(1 for n in per_handset.values() if n > 1)
    figures.simulator_delivered = sum(1 for m in messages if m["status"] == "delivered")


async def _dead_letters(url: str, namespace: str) -> dict[str, dict[str, int]]:
    """Each dead-letter queue's messages by why they died (``x-death``)."""
    topology = Topology(RabbitSettings(rabbitmq_url=url, cohort_namespace=namespace))
    found: dict[str, dict[str, int]] = {}
    for route in ALL_ROUTES:
        name = topology.name(f"{route.queue}.dlq")
        try:
            messages = await drain(url, name)
        except aio_pika.exceptions.ChannelClosed:
            continue  # never declared: nothing died there
        reasons: Counter[str] = Counter()
        for message in messages:
            # RabbitMQ's x-death: a list of tables, the latest death first.
            deaths = message.headers.get("x-death")
            death = deaths[0] if isinstance(deaths, list) and deaths else None
            reason = death.get("reason") if isinstance(death, dict) else None
            reasons[str(reason or "unknown")] += 1
        if reasons:
            found[name] = dict(reasons)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    log_dir = Path(tempfile.mkdtemp(prefix="cohort-chaos-"))
    figures = run_chaos(args.rows, log_dir, args.seed)
    report = {"seed": args.seed, "logs": str(log_dir), **asdict(figures)}
    sys.stdout.write(json.dumps(report, indent=2) + "\n")
    problems = figures.problems()
    for problem in problems:
        sys.stderr.write(f"PROBLEM: {problem}\n")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
