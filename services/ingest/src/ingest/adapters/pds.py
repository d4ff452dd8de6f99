"""PDS FHIR R4 retrieve (``GET /Patient/{nhs_number}``), reference/pds.md §1, §3, §4.

One long-lived httpx2 client on the aiohttp transport (reference/limits.md: httpx's own pool
costs ~4 ms CPU per request under concurrency, the aiohttp transport about a quarter of that).
Every attempt waits for the rate limiter (the deployment-wide share, see
cohort_platform.rate_sharing), so retries are paced too; a logical request keeps its
X-Request-ID across retries, as PDS asks, so it can de-duplicate them. A 401 gets one fresh
bearer token and one more try straight away; a refusal after that (or a 403) holds every lookup
until PDS accepts the credentials again (``credential_hold``): no row fails for it."""

import asyncio
import json
import logging
import time
import uuid
from dataclasses import dataclass

import aiohttp
import httpx2
from httpx_aiohttp.httpx2 import AiohttpTransport
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from cohort_contracts.vocabulary import UploadReason
from cohort_platform.tracing import client_span

from ..domain.patient import MalformedPatient, PdsPatient, parse_patient
from ..ports import AccessTokenProvider, LookupContext, RateLimiter, TokenUnavailable
from .credential_hold import CredentialHold, CredentialsRefused, HoldTimes
from .pds_metrics import PDS_REQUEST_SECONDS, PDS_REQUESTS, PDS_RETRIES, RetryCause, status_class

log = logging.getLogger("ingest.pds")

FHIR_JSON = "application/fhir+json"
# 408: Spine timed out; 429: quota or spike arrest; 5xx: proxy or back end. All are worth a retry.
_RETRYABLE_STATUS: dict[int, RetryCause] = {408: "timeout", 429: "throttled"}
_TRANSPORT_ERRORS = (httpx2.TransportError, aiohttp.ClientError, TimeoutError)
_TIMEOUTS = (httpx2.TimeoutException, TimeoutError)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 10.0


@dataclass(frozen=True)
class PdsTimeouts:
    connect_s: float = 5.0
    read_s: float = 10.0
    #: Cap on one whole attempt: the aiohttp transport has no total deadline of its own.
    attempt_s: float = 15.0


class RetryablePdsError(Exception):
    """One attempt failed in a way that may pass: a retryable status or a transport error."""

    def __init__(
        self, cause: str, *, retry_cause: RetryCause, retry_after: float | None = None
    ) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_cause = retry_cause
        self.retry_after = retry_after


def make_http_client(
    base_url: str,
    *,
    timeouts: PdsTimeouts,
    max_connections: int,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> httpx2.AsyncClient:
    limits = httpx2.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=30.0,
    )
    return httpx2.AsyncClient(
        base_url=base_url,
        transport=transport or AiohttpTransport(limits=limits),
        timeout=httpx2.Timeout(
            connect=timeouts.connect_s,
            read=timeouts.read_s,
            write=timeouts.read_s,
            pool=timeouts.attempt_s,
        ),
        headers={"Accept": FHIR_JSON},
    )


def _spine_code(response: httpx2.Response) -> str | None:
    """``issue[0].details.coding[0].code`` of an OperationOutcome body, whatever the declared
    content type: proxy errors are application/json, some 400s are empty or text/plain."""
    try:
        body = json.loads(response.content)
        code = body["issue"][0]["details"]["coding"][0]["code"]
    except (ValueError, LookupError, TypeError):
        return None
    return code if isinstance(code, str) else None


def _count_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, RetryablePdsError):
        PDS_RETRIES.labels(cause=error.retry_cause).inc()


def _retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdecimal() else None


class PdsPatientDirectory:
    """``ports.PatientDirectory`` over the PDS FHIR API."""

    def __init__(
        self,
        client: httpx2.AsyncClient,
        *,
        limiter: RateLimiter,
        concurrency: int,
        retry: RetryPolicy,
        attempt_timeout_s: float,
        tokens: AccessTokenProvider | None = None,
        hold: CredentialHold | None = None,
    ) -> None:
        self._client = client
        self._hold = hold or CredentialHold(HoldTimes())
        self._limiter = limiter
        # Per instance, so it bounds connections to PDS however many batches are in flight.
        self._slots = asyncio.Semaphore(concurrency)
        self._retry = retry
        self._attempt_timeout_s = attempt_timeout_s
        self._tokens = tokens
        self._backoff = wait_random_exponential(
            multiplier=retry.backoff_initial_s, max=retry.backoff_max_s
        )

    async def aclose(self) -> None:
        await self._client.aclose()
        if self._tokens is not None:
            await self._tokens.aclose()

    async def lookup(self, nhs_number: str, context: LookupContext) -> PdsPatient | UploadReason:
        request_id = str(uuid.uuid4())
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retry.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(RetryablePdsError),
            before_sleep=_count_retry,
            reraise=True,
        )
        while True:
            async with self._hold.turn():
                try:
                    result: PdsPatient | UploadReason = await retrying(
                        self._attempt, nhs_number, request_id, context
                    )
                except RetryablePdsError as exc:
                    log.warning(
                        "pds lookup gave up",
                        extra={
                            "request_id": request_id,
                            "correlation_id": context.correlation_id,
                            "attempts": self._retry.attempts,
                            "last_error": exc.cause,
                        },
                    )
                    return UploadReason.PDS_UNAVAILABLE
                except CredentialsRefused as refusal:
                    self._hold.refuse(refusal)
                    continue
            self._hold.accept()
            return result

    def _wait(self, state: RetryCallState) -> float:
        backoff = self._backoff(state)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryablePdsError) and error.retry_after is not None:
            return min(max(backoff, error.retry_after), self._retry.backoff_max_s)
        return backoff

    async def _attempt(
        self, nhs_number: str, request_id: str, context: LookupContext
    ) -> PdsPatient | UploadReason:
        try:
            token = await self._tokens.access_token() if self._tokens is not None else None
            response = await self._send(nhs_number, request_id, context, token)
            if response.status_code == 401 and self._tokens is not None and token is not None:
                # Revoked, or expired before we expected: one new token, one more try.
                fresh = await self._tokens.refreshed(token)
                if fresh != token:
                    PDS_RETRIES.labels(cause="unauthorized").inc()
                    response = await self._send(nhs_number, request_id, context, fresh)
        except TokenUnavailable as exc:
            if exc.retryable:
                raise RetryablePdsError(f"token: {exc.cause}", retry_cause="token") from exc
            raise CredentialsRefused(None, None) from exc
        return self._interpret(response, request_id, context)

    async def _send(
        self, nhs_number: str, request_id: str, context: LookupContext, token: str | None
    ) -> httpx2.Response:
        headers = {
            "X-Request-ID": request_id,
            "X-Correlation-ID": context.correlation_id,
            "NHSD-End-User-Organisation-ODS": context.org_id,
        }
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self._slots:
            await self._limiter.acquire()
            try:
                async with asyncio.timeout(self._attempt_timeout_s):
                    with client_span("pds", "GET Patient", {"request_id": request_id}) as span:
                        started = time.perf_counter()
                        response = await self._client.get(f"Patient/{nhs_number}", headers=headers)
                        span.set_attribute("http.response.status_code", response.status_code)
                        PDS_REQUEST_SECONDS.labels(status_class(response.status_code)).observe(
                            time.perf_counter() - started
                        )
            except _TRANSPORT_ERRORS as exc:
                PDS_REQUESTS.labels(status_class="no_response").inc()
                cause: RetryCause = "timeout" if isinstance(exc, _TIMEOUTS) else "transport"
                raise RetryablePdsError(type(exc).__name__, retry_cause=cause) from exc
        PDS_REQUESTS.labels(status_class=status_class(response.status_code)).inc()
        return response

    def _interpret(
        self, response: httpx2.Response, request_id: str, context: LookupContext
    ) -> PdsPatient | UploadReason:
        status = response.status_code
        ids = {"request_id": request_id, "correlation_id": context.correlation_id}
        if status == 200:
            try:
                return parse_patient(json.loads(response.content))
            except (ValueError, MalformedPatient):
                log.warning("pds returned an unusable patient", extra=ids)
                return UploadReason.PDS_UNAVAILABLE
        if status in _RETRYABLE_STATUS or status >= 500:
            log.debug("pds attempt failed", extra={**ids, "status": status})
            raise RetryablePdsError(
                f"HTTP {status}",
                retry_cause=_RETRYABLE_STATUS.get(status, "server_error"),
                retry_after=_retry_after(response),
            )
        code = _spine_code(response)
        if status == 404:
            # RESOURCE_NOT_FOUND, or INVALIDATED_RESOURCE: either way nobody to contact.
            return UploadReason.NOT_FOUND
        if status == 400 and code == "INVALID_RESOURCE_ID":
            return UploadReason.INVALID_NHS_NUMBER
        if status in (401, 403):
            # Our credentials or access mode: a fault to fix, not a row to fail.
            raise CredentialsRefused(status, code)
        # Other 400s are our request's set-up, not the patient.
        log.warning("pds refused lookup", extra={**ids, "status": status, "spine_code": code})
        return UploadReason.PDS_UNAVAILABLE
