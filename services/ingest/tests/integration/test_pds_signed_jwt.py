"""Application-restricted auth against the project's PDS simulator with auth on, over real HTTP:
its token endpoint verifies our client assertions with the public half of a key made here."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from pathlib import Path

import httpx2
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from time_machine import TimeMachineFixture

from cohort_nhs import is_valid_nhs_number
from cohort_platform.rate_limiter import TokenBucket
from cohort_testing.local_server import serve
from ingest.adapters.credential_hold import CredentialHold, HoldTimes
from ingest.adapters.pds import PdsPatientDirectory, PdsTimeouts, RetryPolicy, make_http_client
from ingest.adapters.tokens import SignedJwtSettings, SignedJwtTokenProvider
from ingest.bootstrap import build_directory
from ingest.config import IngestSettings
from ingest.domain.patient import PdsPatient
from ingest.ports import LookupContext

from ..fakes import SettableClock
from ..lookups import waiting_lookups
from ..token_stub import new_rsa_key, private_pem, public_pem

pytestmark = pytest.mark.integration

sim_app = pytest.importorskip("pds_sim.app")
sim_config = pytest.importorskip("pds_sim.config")

SYNTHETIC = next(n for i in count() if is_valid_nhs_number(n := f"999{i:07d}"))
API_KEY = "ingest-test-app"
KEY_ID = "ingest-test-1"
CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")


@dataclass(frozen=True)
class Exchange:
    path: str
    request_id: str | None
    authorization: str | None
    status: int


@dataclass
class Recorder:
    """ASGI wrapper around the simulator, built once the server's URL (and so the token
    audience) is known; records each request's path, ids and status."""

    app: ASGIApp | None = None
    seen: list[Exchange] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.seen.append(
                    Exchange(
                        scope["path"],
                        headers.get("x-request-id"),
                        headers.get("authorization"),
                        message["status"],
                    )
                )
            await send(message)

        await self.app(scope, receive, recording_send)


@dataclass(frozen=True)
class Pds:
    url: str
    recorder: Recorder

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth2/token"

    @property
    def fhir_url(self) -> str:
        return self.url + str(sim_app.FHIR_BASE_PATH)

    def patient_calls(self) -> list[Exchange]:
        return [e for e in self.recorder.seen if "/Patient/" in e.path]

    def token_calls(self) -> list[Exchange]:
        return [e for e in self.recorder.seen if e.path == "/oauth2/token"]


@pytest.fixture
def key_paths(key: rsa.RSAPrivateKey, tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "private.pem", tmp_path / "public.pem"
    private.write_bytes(private_pem(key))
    public.write_bytes(public_pem(key))
    return private, public


@asynccontextmanager
async def running_pds(public_key: Path, *, token_ttl_s: int = 599) -> AsyncIterator[Pds]:
    recorder = Recorder()
    async with serve(recorder) as url:
        recorder.app = sim_app.create_app(
            sim_config.Settings(
                synthetic=True,
                auth=True,
                public_key_path=public_key,
                token_audience=f"{url}/oauth2/token",
                token_ttl_seconds=token_ttl_s,
            )
        )
        yield Pds(url, recorder)


def signed_jwt_settings(pds: Pds, private_key: Path) -> IngestSettings:
    return IngestSettings(
        pds_base_url=pds.fhir_url,
        pds_auth="signed-jwt",
        pds_api_key=SecretStr(API_KEY),
        pds_private_key_path=private_key,
        pds_key_id=KEY_ID,
        pds_token_url=pds.token_url,
        pds_rate_limit=1000,
        pds_retry_attempts=2,
        pds_backoff_initial_s=0.001,
    )


async def test_lookups_share_one_token_from_the_token_endpoint(
    key_paths: tuple[Path, Path],
) -> None:
    private, public = key_paths
    async with running_pds(public) as pds:
        directory = build_directory(signed_jwt_settings(pds, private))
        try:
            results = await asyncio.gather(
                *(directory.lookup(SYNTHETIC, CONTEXT) for _ in range(5))
            )
            results.append(await directory.lookup(SYNTHETIC, CONTEXT))
        finally:
            await directory.aclose()

    assert all(isinstance(r, PdsPatient) for r in results)
    [token_call] = pds.token_calls()
    assert token_call.status == 200
    calls = pds.patient_calls()
    assert [c.status for c in calls] == [200] * 6
    assert len({c.authorization for c in calls}) == 1
    assert calls[0].authorization is not None
    assert calls[0].authorization.startswith("Bearer ")


async def test_a_token_pds_no_longer_accepts_is_refreshed_and_the_request_retried(
    key: rsa.RSAPrivateKey, key_paths: tuple[Path, Path], time_machine: TimeMachineFixture
) -> None:
    _, public = key_paths
    # The simulator's tokens last 1 s by the wall clock, which is moved on by hand; ingest's
    # own clock stands still, so it keeps using its token after the simulator has expired
    # it, as if PDS had revoked it.
    time_machine.move_to(datetime.now(UTC))
    async with running_pds(public, token_ttl_s=1) as pds:
        tokens = SignedJwtTokenProvider(
            httpx2.AsyncClient(),
            SignedJwtSettings(
                token_url=pds.token_url, api_key=API_KEY, private_key=key, key_id=KEY_ID
            ),
            clock=SettableClock(),
        )
        directory = PdsPatientDirectory(
            make_http_client(pds.fhir_url, timeouts=PdsTimeouts(), max_connections=2),
            limiter=TokenBucket(1000),
            concurrency=2,
            retry=RetryPolicy(attempts=1),
            attempt_timeout_s=5,
            tokens=tokens,
        )
        try:
            first = await directory.lookup(SYNTHETIC, CONTEXT)
            time_machine.shift(2)
            second = await directory.lookup(SYNTHETIC, CONTEXT)
        finally:
            await directory.aclose()

    assert isinstance(first, PdsPatient)
    assert isinstance(second, PdsPatient)
    calls = pds.patient_calls()
    assert [c.status for c in calls] == [200, 401, 200]
    assert calls[1].request_id == calls[2].request_id
    assert calls[1].authorization == calls[0].authorization != calls[2].authorization
    assert [c.status for c in pds.token_calls()] == [200, 200]


async def test_a_key_the_token_endpoint_does_not_know_holds_the_rows_and_fails_none(
    key_paths: tuple[Path, Path], tmp_path: Path
) -> None:
    """Our key refused is a configuration fault: the lookups wait (no row PDS_UNAVAILABLE),
    one asking again after each pause, and PDS itself is never called without a token."""
    _, public = key_paths
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(private_pem(new_rsa_key()))
    async with running_pds(public) as pds:
        directory = build_directory(
            signed_jwt_settings(pds, stranger),
            hold=CredentialHold(HoldTimes(initial_s=0.05, max_s=0.1)),
        )
        async with waiting_lookups(directory, [SYNTHETIC] * 5, CONTEXT) as lookups:
            deadline = time.monotonic() + 10
            while len(pds.token_calls()) < 4:  # the first refusal, then three probes
                assert time.monotonic() < deadline, pds.token_calls()
                await asyncio.sleep(0.05)
            assert not any(lookup.done() for lookup in lookups)

    assert {c.status for c in pds.token_calls()} == {401}
    assert pds.patient_calls() == []
