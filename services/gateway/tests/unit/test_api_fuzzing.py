"""Schemathesis against the gateway's own OpenAPI document, in process: every operation, with
generated parameters and bodies (valid and invalid), called with a token of organisation A and
again aimed at organisation B's real campaign, list, recipient and template. Every response must
be documented (status, content type, schema), none a 5xx, and nothing of B's may be read or
changed by A. Bounded (``MAX_EXAMPLES`` per operation, derandomised) so it runs in
``make test`` in about half a minute, the same way every time."""

from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import hypothesis
import pytest
import schemathesis
from faststream.rabbit import TestRabbitBroker
from schemathesis import GenerationMode
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cohort_platform.broker import make_broker
from cohort_platform.settings import RabbitSettings
from cohort_testing.organisations import PRACTICE_A, PRACTICE_B
from gateway.adapters.token_verifiers import issue_token
from gateway.entrypoints.app import create_app

from ..conftest import JWT_SECRET, gateway_settings
from ..fakes import FakeCampaign, make_recipient, make_unsuccessful_row
from ..openapi_requests import document, walk

MAX_EXAMPLES = 10
Scope = MutableMapping[str, Any]
ASGI = Callable[
    [Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]
]


@dataclass
class Fuzzed:
    app: ASGI
    campaign: FakeCampaign
    #: Organisation B's ids: what A's requests are aimed at, and must never see.
    theirs: dict[str, str] = field(default_factory=dict)

    def token(self, org: str) -> str:
        settings = gateway_settings()
        return issue_token(
            JWT_SECRET,
            "fuzzer",
            org,
            timedelta(hours=1),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )


def with_test_broker(app: ASGI, broker: Any) -> ASGI:
    """The app, its lifespan run inside FastStream's in-memory broker (no RabbitMQ)."""

    async def asgi(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            async with TestRabbitBroker(broker):
                await app(scope, receive, send)
            return
        await app(scope, receive, send)

    return asgi


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Fuzzed]:
    campaign = FakeCampaign()
    theirs = campaign.add_campaign(org_id=PRACTICE_B)
    list_id = campaign.add_list(theirs, ["NHS Number", "DOB"], [make_unsuccessful_row(1, ["1"])])
    template = campaign.add_template(PRACTICE_B)
    recipient = make_recipient(1)
    campaign.recipients[theirs.id] = [recipient]
    rabbit = RabbitSettings()
    broker = make_broker(rabbit)
    app = create_app(
        gateway_settings(), rabbit, broker=broker, campaign=campaign, configure_logs=False
    )
    ids = {
        "campaign_id": str(theirs.id),
        "list_id": str(list_id),
        "template_id": template.id,
        "recipient_id": recipient.id,
    }
    yield Fuzzed(with_test_broker(app, broker), campaign, ids)
    asgi.shutdown_lifespans()  # schemathesis started the app's lifespan on its first call


#: The document itself; the app it is called on is set by the ``fuzzed`` fixture.
SCHEMA = schemathesis.openapi.from_dict(document())
T = TypeVar("T")


def valid(result: Ok[T] | Err[InvalidSchema]) -> T:
    """An operation of the document; one it does not describe properly fails collection."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


OPERATIONS = [valid(result) for result in SCHEMA.get_all_operations()]
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]


def snapshot(campaign: FakeCampaign, ids: dict[str, str]) -> str:
    """Everything campaign holds of B's."""
    campaign_id, list_id = UUID(ids["campaign_id"]), UUID(ids["list_id"])
    held = (
        campaign.campaigns[campaign_id],
        campaign.lists[list_id],
        campaign.templates[ids["template_id"]],
        campaign.recipients[campaign_id],
    )
    return repr(held)


@pytest.mark.parametrize("mode", MODES, ids=str)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_operation_answers_as_documented(
    operation: Any, mode: GenerationMode, fuzzed: Fuzzed
) -> None:
    operation.schema.app = fuzzed.app

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        database=None,
        # The same examples every run, so make test is not flaky; change MAX_EXAMPLES or run
        # with derandomize off to explore further.
        derandomize=True,
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: Any) -> None:
        call_as_a(case, fuzzed)

    try:
        fuzz()
    except hypothesis.errors.Unsatisfiable:
        # e.g. /healthz in negative mode: nothing in its document can be made invalid.
        pytest.skip(f"no {mode} request can be generated for this operation")


def call_as_a(case: Any, fuzzed: Fuzzed) -> None:
    # A's token replaces whatever was generated for the header (a forged one is test_auth's).
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {fuzzed.token(PRACTICE_A)}"}
    headers = {"Authorization": case.headers["Authorization"]}
    before = snapshot(fuzzed.campaign, fuzzed.theirs)
    asked = len(fuzzed.campaign.requests)

    # A file that fits the schema (any bytes) need not be a patient list: the upload's own
    # tests cover what its content must be, so here it need only be answered as documented.
    excluded = [positive_data_acceptance] if case.media_type == "multipart/form-data" else []
    response = case.call_and_validate(headers=headers, app=fuzzed.app, excluded_checks=excluded)
    # B's ids appear in nothing A is answered, unless A sent them (a 404 names what it missed).
    assert not set(fuzzed.theirs.values()) & words(response), "A read something of B's"
    aimed = [name for name in case.path_parameters or {} if name in fuzzed.theirs]
    if aimed:
        case.path_parameters = {**case.path_parameters, **{n: fuzzed.theirs[n] for n in aimed}}
        response = case.call_and_validate(headers=headers, app=fuzzed.app, excluded_checks=excluded)
        assert response.status_code in (400, 404, 422), response.status_code

    assert snapshot(fuzzed.campaign, fuzzed.theirs) == before, "A changed something of B's"
    for request in fuzzed.campaign.requests[asked:]:
        assert PRACTICE_B not in getattr(request, "readable_orgs", ()), "A asked about B"


def words(response: Any) -> set[str]:
    if "json" in str(response.headers.get("content-type", "")):
        return set(walk(response.json()))
    return {response.text}
