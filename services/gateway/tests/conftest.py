"""A gateway on FastStream's ``TestRabbitBroker`` (no network) with a fake campaign."""

import hashlib
import hmac
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import timedelta
from uuid import UUID

import httpx2
import pytest
from fastapi import FastAPI
from faststream.rabbit import TestRabbitBroker

from cohort_contracts.ingest import ResolveRows
from cohort_contracts.routing import FIRETEXT_INBOUND, FIRETEXT_RECEIPTS, RESOLVE_ROWS
from cohort_contracts.sending import (
    FiretextReceipt,
    ProcessFiretextInbound,
    ProcessFiretextReceipts,
)
from cohort_platform.broker import make_broker
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology
from gateway.adapters.token_verifiers import issue_token
from gateway.config import GatewaySettings
from gateway.entrypoints.app import create_app

from .fakes import FakeCampaign, M

JWT_SECRET = "unit-test-jwt-secret-that-is-long-enough"
WEBHOOK_SECRET = "unit-test-webhook-secret"
ORG = "A81001"
USER = "user-1"


@dataclass
class Harness:
    client: httpx2.AsyncClient
    campaign: FakeCampaign
    settings: GatewaySettings
    app: FastAPI
    resolve_rows: list[ResolveRows] = field(default_factory=list)
    receipt_batches: list[ProcessFiretextReceipts] = field(default_factory=list)
    receipts: list[FiretextReceipt] = field(default_factory=list)
    replies: list[ProcessFiretextInbound] = field(default_factory=list)

    def auth(
        self,
        org: str = ORG,
        user: str = USER,
        act_for: str | None = None,
        roles: list[str] | None = None,
        name: str | None = None,
    ) -> dict[str, str]:
        """A development token's header; ``roles`` None: no roles claim (a sender); ``name``
        None: no name claim."""
        token = issue_token(
            JWT_SECRET,
            user,
            org,
            timedelta(minutes=5),
            issuer=self.settings.jwt_issuer,
            audience=self.settings.jwt_audience,
            name=name,
            roles=roles,
        )
        headers = {"Authorization": f"Bearer {token}"}
        if act_for is not None:
            headers["X-Act-For-Org"] = act_for
        return headers

    async def post_to_campaign(
        self, campaign_id: UUID, action: str, body: object = None
    ) -> httpx2.Response:
        """POST ``/v1/campaigns/{campaign_id}/{action}``, with ``body`` as JSON, as the sender."""
        return await self.client.post(
            f"/v1/campaigns/{campaign_id}/{action}", json=body, headers=self.auth()
        )

    async def unsuccessful_rows(self, campaign_id: UUID, list_id: UUID) -> httpx2.Response:
        """GET the list's ``unsuccessful.csv`` (the rows nobody was found for, and why), as the
        sender."""
        return await self.client.get(
            f"/v1/campaigns/{campaign_id}/patient-lists/{list_id}/unsuccessful.csv",
            headers=self.auth(),
        )

    def rewire(self, **changes: object) -> None:
        """Swap parts of the running gateway's wiring (e.g. a failing publisher)."""
        self.app.state.wiring = replace(self.app.state.wiring, **changes)


def last(gateway: Harness, kind: type[M]) -> M:
    """The one ``kind`` request campaign was sent, checked to be for ``ORG`` by ``USER``."""
    [request] = gateway.campaign.sent(kind)
    assert request.org_id == ORG
    assert getattr(request, "actor") == USER  # noqa: B009
    return request


def webhook_token(org: str, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), org.encode(), hashlib.sha256).hexdigest()


def gateway_settings(**overrides: object) -> GatewaySettings:
    values: dict[str, object] = {"jwt_secret": JWT_SECRET, "webhook_secret": WEBHOOK_SECRET}
    values.update(overrides)
    return GatewaySettings.model_validate(values)


@asynccontextmanager
async def running(
    oidc_transport: httpx2.AsyncBaseTransport | None = None, **overrides: object
) -> AsyncIterator[Harness]:
    settings = gateway_settings(**overrides)
    rabbit = RabbitSettings()
    topology = Topology(rabbit)
    broker = make_broker(rabbit)
    campaign = FakeCampaign()
    app = create_app(
        settings,
        rabbit,
        broker=broker,
        campaign=campaign,
        configure_logs=False,
        oidc_transport=oidc_transport,
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://gateway") as client:
        harness = Harness(client, campaign, settings, app)

        @broker.subscriber(*topology.subscription(RESOLVE_ROWS))
        async def on_rows(message: ResolveRows) -> None:
            harness.resolve_rows.append(message)

        @broker.subscriber(*topology.subscription(FIRETEXT_RECEIPTS))
        async def on_receipt(message: ProcessFiretextReceipts) -> None:
            harness.receipt_batches.append(message)
            harness.receipts += message.receipts

        @broker.subscriber(*topology.subscription(FIRETEXT_INBOUND))
        async def on_reply(message: ProcessFiretextInbound) -> None:
            harness.replies.append(message)

        async with TestRabbitBroker(broker), app.router.lifespan_context(app):
            yield harness


GatewayFactory = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def gateway_factory() -> GatewayFactory:
    """For tests that need other settings: ``async with gateway_factory(max_rows=3) as gw``."""
    return running


@pytest.fixture
async def gateway() -> AsyncIterator[Harness]:
    async with running() as harness:
        yield harness
