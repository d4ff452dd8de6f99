"""The only place that builds real adapters: broker, RPC client to campaign, publisher."""

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx2
from faststream.rabbit import RabbitBroker

from cohort_contracts.routing import ALL_ROUTES, FIRETEXT_INBOUND, FIRETEXT_RECEIPTS, RESOLVE_ROWS
from cohort_contracts.sending import FiretextReceipt
from cohort_http.token_buckets import TokenBuckets
from cohort_platform.broker import make_broker
from cohort_platform.group_commit import GroupCommit
from cohort_platform.rpc import RpcClient
from cohort_platform.settings import RabbitSettings
from cohort_platform.topology import Topology

from .adapters.campaign_rpc import RpcCampaignClient
from .adapters.coalesced_reads import CoalescedReads
from .adapters.oidc_keys import KeySource, SigningKeys
from .adapters.organisations_file import read_organisations_file
from .adapters.rabbit_publisher import RabbitPublisher
from .adapters.token_verifiers import (
    DevTokenRules,
    DevTokenVerifier,
    OidcTokenRules,
    OidcTokenVerifier,
)
from .config import GatewaySettings
from .domain.organisations import Organisations
from .handlers.campaign_events import CampaignEvents
from .handlers.patient_lists import UploadLimits
from .handlers.webhooks import publish_receipts
from .ports import CampaignClient, Publisher, ReceiptBatcher, TokenVerifier

READY_TIMEOUT_S = 1.0
#: Fetching the identity provider's keys; a request waiting on it waits this long at most.
OIDC_TIMEOUT_S = 5.0
#: Every route the gateway publishes to is declared at start, so nothing it publishes is
#: unroutable because its consumer has not started yet.
PUBLISHED_ROUTES = (RESOLVE_ROWS, FIRETEXT_RECEIPTS, FIRETEXT_INBOUND)


@dataclass(frozen=True)
class Wiring:
    settings: GatewaySettings
    campaign: CampaignClient
    publisher: Publisher
    broker_ready: Callable[[], Awaitable[bool]]
    organisations: Organisations
    link_limiter: TokenBuckets
    receipts: ReceiptBatcher
    #: Live progress streams: one poller per watched campaign, shared by its subscribers.
    events: CampaignEvents
    #: Bearer tokens to callers (the identity provider's, or development tokens).
    verifier: TokenVerifier
    #: The patient-link API, per patient address.
    patient_limiter: TokenBuckets = field(default_factory=lambda: TokenBuckets(2.0, 30))

    @property
    def limits(self) -> UploadLimits:
        return UploadLimits(
            max_rows=self.settings.max_rows,
            batch_size=self.settings.batch_size,
            publish_window=self.settings.publish_window,
            max_unpacked_bytes=self.settings.max_xlsx_unpacked_bytes,
        )


def token_verifier(settings: GatewaySettings, client: httpx2.AsyncClient) -> TokenVerifier:
    """The provider's tokens when an issuer is configured, and then only those."""
    if settings.oidc_issuer is None:
        return DevTokenVerifier(DevTokenRules.model_validate(settings))
    source = KeySource(
        issuer=settings.oidc_issuer,
        jwks_url=str(settings.oidc_jwks_url) if settings.oidc_jwks_url else None,
        ttl_s=settings.oidc_keys_ttl_s,
        refetch_s=settings.oidc_keys_refetch_s,
    )
    keys = SigningKeys(client, source)
    return OidcTokenVerifier(OidcTokenRules.model_validate(settings), keys)


def load_organisations(settings: GatewaySettings) -> Organisations:
    """Raises ``OrganisationsInvalid``: the gateway refuses to start with a bad file."""
    if settings.organisations_file is None:
        return Organisations()
    return read_organisations_file(settings.organisations_file)


@asynccontextmanager
async def running_gateway(
    settings: GatewaySettings,
    rabbit: RabbitSettings,
    *,
    broker: RabbitBroker | None = None,
    campaign: CampaignClient | None = None,
    oidc_transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncIterator[Wiring]:
    """Start the broker (with the RPC reply subscriber) and stop it on exit. Tests pass their
    own ``broker`` (e.g. under ``TestRabbitBroker``) and/or a fake ``campaign``."""
    organisations = load_organisations(settings)
    link_limiter = TokenBuckets(settings.link_requests_per_minute / 60, settings.link_burst)
    topology = Topology(rabbit)
    broker = broker if broker is not None else make_broker(rabbit)
    if campaign is None:
        rpc = RpcClient(broker, topology, caller="gateway", timeout=rabbit.cohort_rpc_timeout_s)
        rpc.attach()  # the reply queue's subscriber must exist before the broker starts
        campaign = CoalescedReads(RpcCampaignClient(rpc), ttl_s=settings.read_cache_ms / 1000)
    started = broker
    events = CampaignEvents(
        campaign, interval_s=settings.events_poll_s, keepalive_s=settings.events_keepalive_s
    )

    async def broker_ready() -> bool:
        return await started.ping(timeout=READY_TIMEOUT_S)

    await broker.start()
    try:
        oidc_client = httpx2.AsyncClient(transport=oidc_transport, timeout=OIDC_TIMEOUT_S)
        verifier = token_verifier(settings, oidc_client)
        routes = ALL_ROUTES + tuple(r for r in PUBLISHED_ROUTES if r not in ALL_ROUTES)
        await topology.declare(broker, routes)
        publisher = RabbitPublisher(broker, topology)
        receipts: GroupCommit[str, FiretextReceipt] = GroupCommit(
            functools.partial(publish_receipts, publisher),
            max_items=settings.receipt_batch_size,
            max_wait_s=settings.receipt_batch_wait_ms / 1000,
            max_pending=settings.receipt_max_waiting,
        )
        try:
            yield Wiring(
                settings,
                campaign,
                publisher,
                broker_ready,
                organisations,
                link_limiter,
                receipts,
                events,
                verifier,
                TokenBuckets(settings.patient_requests_per_minute / 60, settings.patient_burst),
            )
        finally:
            await oidc_client.aclose()
            await events.close()
            await receipts.close()
    finally:
        await broker.stop()
