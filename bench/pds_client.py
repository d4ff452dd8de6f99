"""The PDS HTTP client alone (DESIGN §8, "measure your client"): lookups against the simulator
at a fixed concurrency through ingest's own adapter, built as ingest's bootstrap builds it, with
its aiohttp transport and with httpx2's own; then bare clients for comparison."""

import asyncio
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx2
from httpx_aiohttp.httpx2 import AiohttpTransport

from cohort_testing.nhs_numbers import valid_numbers
from ingest.adapters.pds import FHIR_JSON, PdsPatientDirectory
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext

from .processes import start_pds_simulator, stop_processes
from .procstats import sample

FHIR_PATH = "/personal-demographics/FHIR/R4"
WARM_UP = 200

Lookup = Callable[[str], Awaitable[bool]]


@dataclass(frozen=True)
class ClientRound:
    requests_per_s: float
    client_cpu_us: float
    server_cpu_us: float
    failures: int


@dataclass
class ClientResult:
    name: str
    rounds: list[ClientRound]

    def values(self, attribute: str) -> list[float]:
        return [float(getattr(r, attribute)) for r in self.rounds]

    def median(self, attribute: str) -> float:
        return statistics.median(self.values(attribute))

    def spread(self, attribute: str) -> tuple[float, float]:
        return min(self.values(attribute)), max(self.values(attribute))


class Variant:
    """Builds a client inside the event loop it will run on, and closes it there."""

    def __init__(self, name: str, base_url: str, concurrency: int) -> None:
        self.name = name
        self.base_url = base_url
        self.concurrency = concurrency

    def limits(self) -> httpx2.Limits:
        return httpx2.Limits(
            max_connections=self.concurrency, max_keepalive_connections=self.concurrency
        )

    async def open(self) -> tuple[Lookup, Callable[[], Awaitable[None]]]:
        raise NotImplementedError


class Httpx2Variant(Variant):
    """An httpx2 client, on aiohttp's transport (``aiohttp``) or on httpx2's own."""

    def __init__(self, name: str, base_url: str, concurrency: int, *, aiohttp: bool) -> None:
        super().__init__(name, base_url, concurrency)
        self.aiohttp = aiohttp


class AdapterVariant(Httpx2Variant):
    async def open(self) -> tuple[Lookup, Callable[[], Awaitable[None]]]:
        settings = IngestSettings(
            pds_base_url=self.base_url + FHIR_PATH,
            pds_concurrency=self.concurrency,
            # Far above what the client can reach: the pacing is not what is measured.
            pds_rate_limit=1_000_000,
        )
        transport = None if self.aiohttp else httpx2.AsyncHTTPTransport(limits=self.limits())
        directory: PdsPatientDirectory = build_directory(settings, transport=transport)
        context = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")

        async def lookup(nhs_number: str) -> bool:
            return isinstance(await directory.lookup(nhs_number, context), PdsPatient)

        return lookup, directory.aclose


class BareHttpx2Variant(Httpx2Variant):
    async def open(self) -> tuple[Lookup, Callable[[], Awaitable[None]]]:
        transport: httpx2.AsyncBaseTransport = (
            AiohttpTransport(limits=self.limits())
            if self.aiohttp
            else httpx2.AsyncHTTPTransport(limits=self.limits())
        )
        client = httpx2.AsyncClient(
            base_url=self.base_url + FHIR_PATH + "/",
            transport=transport,
            headers={"Accept": FHIR_JSON},
            timeout=30.0,
        )

        async def lookup(nhs_number: str) -> bool:
            headers = {"X-Request-ID": str(uuid.uuid4())}
            response = await client.get(f"Patient/{nhs_number}", headers=headers)
            return response.status_code == 200 and bool(json.loads(response.content))

        return lookup, client.aclose


class BareAiohttpVariant(Variant):
    async def open(self) -> tuple[Lookup, Callable[[], Awaitable[None]]]:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.concurrency),
            headers={"Accept": FHIR_JSON},
        )
        prefix = self.base_url + FHIR_PATH

        async def lookup(nhs_number: str) -> bool:
            headers = {"X-Request-ID": str(uuid.uuid4())}
            async with session.get(f"{prefix}/Patient/{nhs_number}", headers=headers) as response:
                return response.status == 200 and bool(json.loads(await response.read()))

        return lookup, session.close


async def _drive(lookup: Lookup, numbers: list[str], concurrency: int) -> int:
    """Exactly ``concurrency`` lookups in flight until ``numbers`` run out; returns failures."""
    pending = iter(numbers)
    failures = 0

    async def worker() -> None:
        nonlocal failures
        for number in pending:
            if not await lookup(number):
                failures += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return failures


async def _one_round(variant: Variant, numbers: list[str], server_pid: int) -> ClientRound:
    lookup, close = await variant.open()
    try:
        await _drive(lookup, numbers[:WARM_UP], variant.concurrency)
        server_before = sample(server_pid).cpu_s
        cpu_before, t0 = time.process_time(), time.perf_counter()
        failures = await _drive(lookup, numbers, variant.concurrency)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - cpu_before
        server = sample(server_pid).cpu_s - server_before
    finally:
        await close()
    n = len(numbers)
    return ClientRound(n / wall, cpu / n * 1e6, server / n * 1e6, failures)


def run_client_bench(
    requests: int, concurrency: int, rounds: int, log_dir: Path
) -> list[ClientResult]:
    print(
        f"\n== PDS client alone: {requests:,} lookups x {rounds} round(s), "
        f"concurrency {concurrency}"
    )
    numbers = valid_numbers("999", requests)
    process, base_url = start_pds_simulator(log_dir)
    try:
        variants: list[Variant] = [
            AdapterVariant(
                "ingest adapter, httpx2 + aiohttp transport (as deployed)",
                base_url,
                concurrency,
                aiohttp=True,
            ),
            AdapterVariant(
                "ingest adapter, httpx2's own transport", base_url, concurrency, aiohttp=False
            ),
            BareHttpx2Variant(
                "bare httpx2.AsyncClient + aiohttp transport", base_url, concurrency, aiohttp=True
            ),
            BareHttpx2Variant(
                "bare httpx2.AsyncClient (own pool)", base_url, concurrency, aiohttp=False
            ),
            BareAiohttpVariant("bare aiohttp.ClientSession (floor)", base_url, concurrency),
        ]
        results = [ClientResult(v.name, []) for v in variants]
        # Interleaved, so the machine's speed drift (reference/limits.md) hits every variant.
        for round_number in range(rounds):
            for variant, result in zip(variants, results, strict=True):
                measured = asyncio.run(_one_round(variant, numbers, process.pid))
                result.rounds.append(measured)
                print(
                    f"  round {round_number + 1}: {variant.name}: "
                    f"{measured.requests_per_s:,.0f} req/s"
                )
    finally:
        stop_processes({"pds": process})
    return results
