"""The PDS adapter's use of its bearer-token port: a 401 gets one new token and one more try
with the same X-Request-ID; a token that cannot be had is a retry, or (refused) holds the lookup
until it can be had."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing

import httpx2
import pytest
from pydantic import SecretStr

from cohort_contracts.vocabulary import UploadReason
from ingest.adapters.credential_hold import CredentialHold, HoldTimes
from ingest.adapters.pds import PdsPatientDirectory, PdsTimeouts, RetryPolicy, make_http_client
from ingest.adapters.tokens import StaticTokenProvider
from ingest.domain.patient import PdsPatient
from ingest.ports import AccessTokenProvider, LookupContext, TokenUnavailable

from ..fakes import FakeRateLimiter, FakeTokenProvider
from ..fhir import NHS_NUMBER, operation_outcome
from ..metrics import Delta
from ..pds_stub import BASE_PATH, PdsStub, Reply

CONTEXT = LookupContext(correlation_id=str(uuid.uuid4()), org_id="A81001")
ACCESS_DENIED = Reply(401, operation_outcome("ACCESS_DENIED"), content_type="application/json")


@pytest.fixture
def limiter() -> FakeRateLimiter:
    return FakeRateLimiter(rate=1000)


@pytest.fixture
def tokens() -> FakeTokenProvider:
    return FakeTokenProvider()


def make_directory(
    stub: PdsStub,
    limiter: FakeRateLimiter,
    tokens: AccessTokenProvider,
    hold: CredentialHold | None = None,
) -> PdsPatientDirectory:
    client = make_http_client(
        f"http://pds.test{BASE_PATH}",
        timeouts=PdsTimeouts(),
        max_connections=5,
        transport=httpx2.ASGITransport(app=stub.app()),
    )
    return PdsPatientDirectory(
        client,
        limiter=limiter,
        concurrency=5,
        retry=RetryPolicy(attempts=3, backoff_initial_s=0.001, backoff_max_s=0.01),
        attempt_timeout_s=5,
        tokens=tokens,
        hold=hold or CredentialHold(HoldTimes(initial_s=0.001, max_s=0.01)),
    )


@pytest.fixture
async def directory(
    stub: PdsStub, limiter: FakeRateLimiter, tokens: FakeTokenProvider
) -> AsyncIterator[PdsPatientDirectory]:
    pds = make_directory(stub, limiter, tokens)
    yield pds
    await pds.aclose()
    assert tokens.closed  # the directory owns its token provider


async def test_a_401_gets_a_new_token_and_one_more_try_with_the_same_request_id(
    directory: PdsPatientDirectory,
    stub: PdsStub,
    limiter: FakeRateLimiter,
    tokens: FakeTokenProvider,
) -> None:
    stub.scripts[NHS_NUMBER] = [ACCESS_DENIED]
    with Delta("ingest_pds_retries_total", cause="unauthorized") as retries:
        result = await directory.lookup(NHS_NUMBER, CONTEXT)

    assert isinstance(result, PdsPatient)
    first, second = stub.seen
    assert first.headers["authorization"] == "Bearer token-1"
    assert second.headers["authorization"] == "Bearer token-2"
    assert first.headers["x-request-id"] == second.headers["x-request-id"]
    assert tokens.refreshes == 1
    assert limiter.acquired == 2  # the second try is paced like any request
    assert retries.value == 1


async def test_a_second_401_holds_the_lookup_until_pds_accepts_a_token(
    directory: PdsPatientDirectory, stub: PdsStub, tokens: FakeTokenProvider
) -> None:
    stub.scripts[NHS_NUMBER] = [ACCESS_DENIED, ACCESS_DENIED, ACCESS_DENIED]
    result = await directory.lookup(NHS_NUMBER, CONTEXT)

    assert isinstance(result, PdsPatient)
    # 401, fresh token, 401: held; after the pause 401, fresh token, accepted.
    assert len(stub.seen) == 4
    assert tokens.refreshes == 2


async def test_a_static_token_is_not_sent_again_straight_after_a_401(
    stub: PdsStub, limiter: FakeRateLimiter
) -> None:
    stub.scripts[NHS_NUMBER] = [ACCESS_DENIED]
    static = StaticTokenProvider(SecretStr("abc123"))
    async with aclosing(make_directory(stub, limiter, static)) as pds:
        # Held, then tried again after the pause (the operator has fixed the token).
        assert isinstance(await pds.lookup(NHS_NUMBER, CONTEXT), PdsPatient)
    assert len(stub.seen) == 2


async def test_a_token_endpoint_refusing_our_key_holds_the_lookup_without_calling_pds(
    stub: PdsStub, limiter: FakeRateLimiter, tokens: FakeTokenProvider
) -> None:
    pauses: list[float] = []
    three_pauses = asyncio.Event()

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            three_pauses.set()
        await asyncio.sleep(0)

    hold = CredentialHold(HoldTimes(initial_s=1, max_s=3), sleep=pause)
    tokens.failure = TokenUnavailable("token endpoint HTTP 401", retryable=False)
    async with aclosing(make_directory(stub, limiter, tokens, hold)) as pds:
        lookup = asyncio.create_task(pds.lookup(NHS_NUMBER, CONTEXT))
        await asyncio.wait_for(three_pauses.wait(), 5)

        assert not lookup.done()  # three probes refused: still held, not failed
        assert stub.seen == []
        tokens.failure = None  # the operator fixes the key
        assert isinstance(await lookup, PdsPatient)
    assert len(stub.seen) == 1
    assert pauses[:4] == [1, 2, 3, 3][: len(pauses)]  # doubling, up to the maximum


async def test_an_unavailable_token_endpoint_is_retried_like_pds(
    directory: PdsPatientDirectory, stub: PdsStub, tokens: FakeTokenProvider
) -> None:
    tokens.failure = TokenUnavailable("ConnectError", retryable=True)
    with Delta("ingest_pds_retries_total", cause="token") as retries:
        assert await directory.lookup(NHS_NUMBER, CONTEXT) is UploadReason.PDS_UNAVAILABLE
    assert stub.seen == []
    assert retries.value == 2  # three attempts


async def test_a_failed_refresh_after_a_401_is_retried_like_pds(stub: PdsStub) -> None:
    stub.scripts[NHS_NUMBER] = [ACCESS_DENIED]

    class RefreshFailsOnce(FakeTokenProvider):
        async def refreshed(self, rejected: str) -> str:
            if self.refreshes == 0:
                self.refreshes += 1
                raise TokenUnavailable("token endpoint HTTP 503", retryable=True)
            return await super().refreshed(rejected)

    flaky = RefreshFailsOnce()
    async with aclosing(make_directory(stub, FakeRateLimiter(rate=1000), flaky)) as pds:
        result = await pds.lookup(NHS_NUMBER, CONTEXT)
    # Attempt 1: 401, refresh fails. Attempt 2: the same token again, now accepted.
    assert isinstance(result, PdsPatient)
    stub.assert_one_request_tried(2)
