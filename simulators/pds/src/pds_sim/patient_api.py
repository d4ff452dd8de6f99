"""``GET /Patient/{id}`` with the proxy's checks in the proxy's order: auth, rate limit, faults,
then the request headers and the NHS number."""

import asyncio
import random
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from fastapi import APIRouter, Request, Response

from pds_sim import outcomes
from pds_sim.auth import TokenIssuer
from pds_sim.outcomes import FHIR_JSON, Problem
from pds_sim.patients import PatientIndex, ServedPatient, serve
from pds_sim.synthetic import synthetic_patient
from sim_common.fault_windows import FaultWindows
from sim_common.nhs_number import is_valid_nhs_number
from sim_common.rate_limit import RateLimiter

# The X-Request-ID pattern from the PDS specification's header parameters.
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_ECHOED_HEADERS = ("X-Request-ID", "X-Correlation-ID")


@dataclass
class Stats:
    requests: int = 0
    throttled: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def reset(self) -> None:
        self.requests = self.throttled = self.errors = 0


@dataclass
class PatientService:
    index: PatientIndex
    synthetic: bool
    issuer: TokenIssuer | None
    limiter: RateLimiter
    latency_s: float
    error_rate: float
    stats: Stats = field(default_factory=Stats)
    rng: random.Random = field(default_factory=random.Random)
    faults: FaultWindows = field(default_factory=FaultWindows)

    async def injected(self) -> tuple[Problem, str] | None:
        """The fault switched on through ``/_sim/faults``, in PDS's words, if one is on now."""
        match await self.faults.meet():
            case None:
                return None
            case "5xx":
                self.stats.errors += 1
                return outcomes.UNKNOWN_ERROR, "Simulated fault (/_sim/faults)"
            case "429":
                self.stats.throttled += 1
                return outcomes.TOO_MANY_REQUESTS, outcomes.RATE_LIMITED_DIAGNOSTICS
            case "401":
                return outcomes.ACCESS_DENIED, "Invalid Access Token"

    def refusal(self, headers: Mapping[str, str]) -> tuple[Problem, str] | None:
        """What the proxy answers before the request reaches PDS proper, if anything."""
        if self.issuer is not None and (denied := _access_denied(self.issuer, headers)):
            return outcomes.ACCESS_DENIED, denied
        if not self.limiter.allow():
            self.stats.throttled += 1
            return outcomes.TOO_MANY_REQUESTS, outcomes.RATE_LIMITED_DIAGNOSTICS
        if self.error_rate and self.rng.random() < self.error_rate:
            self.stats.errors += 1
            return outcomes.UNKNOWN_ERROR, "Simulated fault (PDS_SIM_ERROR_RATE)"
        return None

    def lookup(self, nhs_number: str) -> ServedPatient | None:
        found = self.index.get(nhs_number)
        if found is None and self.synthetic and nhs_number.startswith("999"):
            found = serve(synthetic_patient(nhs_number))
        return found


def patient_router(service: PatientService) -> APIRouter:
    router = APIRouter()

    @router.get("/Patient/{nhs_number}")
    async def get_patient(nhs_number: str, request: Request) -> Response:
        service.stats.requests += 1
        echo = {name: value for name in _ECHOED_HEADERS if (value := request.headers.get(name))}
        if service.latency_s:
            await asyncio.sleep(service.latency_s)
        if refused := await service.injected() or service.refusal(request.headers):
            problem, diagnostics = refused
            return problem.response(diagnostics, echo)
        if invalid := _invalid_request(nhs_number, request.headers.get("X-Request-ID")):
            problem, diagnostics = invalid
            return problem.response(diagnostics, echo)
        found = service.lookup(nhs_number)
        if found is None:
            return outcomes.RESOURCE_NOT_FOUND.response("Patient not found", echo)
        return Response(
            content=found.body,
            media_type=FHIR_JSON,
            headers={**echo, "ETag": f'W/"{found.version_id}"'},
        )

    return router


def _access_denied(issuer: TokenIssuer, headers: Mapping[str, str]) -> str | None:
    authorization = headers.get("authorization")
    if not authorization:
        return "Missing Authorization header"
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not issuer.is_valid(token.strip()):
        return "Invalid Access Token"
    return None


def _invalid_request(nhs_number: str, request_id: str | None) -> tuple[Problem, str] | None:
    if request_id is None:
        return outcomes.MISSING_VALUE, (
            "Invalid request with error - X-Request-ID header must be supplied to access this "
            "resource"
        )
    if not _UUID.match(request_id):
        return outcomes.INVALID_VALUE, f"Invalid value - '{request_id}' in header 'X-Request-ID'"
    if not is_valid_nhs_number(nhs_number):
        return outcomes.INVALID_RESOURCE_ID, "Invalid NHS number"
    return None
