"""A hand-written PDS stand-in for adapter and integration tests: canned Patients by NHS number
and scripted responses (status, body, headers, delay) per number, consumed in order."""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .fhir import FhirJson, operation_outcome

BASE_PATH = "/personal-demographics/FHIR/R4"
FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    content_type: str = FHIR_JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    def response(self) -> Response:
        if self.body is None:
            content = b""
        elif isinstance(self.body, bytes):
            content = self.body
        else:
            content = json.dumps(self.body).encode()
        return Response(content, self.status, headers=self.headers, media_type=self.content_type)


@dataclass(frozen=True)
class Seen:
    nhs_number: str
    headers: dict[str, str]


@dataclass
class PdsStub:
    patients: dict[str, FhirJson] = field(default_factory=dict)
    scripts: dict[str, list[Reply]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    #: Delay added to every canned (unscripted) answer, to observe concurrency.
    latency_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0

    def requests_for(self, nhs_number: str) -> list[Seen]:
        return [s for s in self.seen if s.nhs_number == nhs_number]

    def assert_one_request_tried(self, times: int) -> None:
        """``times`` attempts came, all under one X-Request-ID: retries of one lookup, which PDS
        can tell from new requests."""
        assert len(self.seen) == times
        assert len({s.headers["x-request-id"] for s in self.seen}) == 1

    async def _patient(self, request: Request) -> Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: Request) -> Response:
        nhs_number = request.path_params["nhs_number"]
        self.seen.append(Seen(nhs_number, {k.lower(): v for k, v in request.headers.items()}))
        script = self.scripts.get(nhs_number)
        if script:
            reply = script.pop(0)
            await asyncio.sleep(reply.delay_s)
            return reply.response()
        if "x-request-id" not in request.headers:
            return Reply(400, operation_outcome("MISSING_VALUE", "required")).response()
        await asyncio.sleep(self.latency_s)
        if nhs_number in self.patients:
            return Reply(200, self.patients[nhs_number]).response()
        return Reply(
            404, operation_outcome("RESOURCE_NOT_FOUND", "not-found", "information")
        ).response()

    def app(self) -> Starlette:
        return Starlette(routes=[Route(BASE_PATH + "/Patient/{nhs_number}", self._patient)])
