"""The only place that builds real adapters."""

import logging

from faststream.rabbit import RabbitBroker

from cohort_platform.rpc import RpcClient
from cohort_platform.topology import Topology

from .adapters.dispatch_credit import DispatchCreditSource
from .adapters.mongo_audit import MongoAuditTrail
from .adapters.mongo_campaigns import MongoCampaignRepository, MongoPatientListRepository
from .adapters.mongo_database import MongoHandle
from .adapters.mongo_early_receipts import MongoEarlyReceipts
from .adapters.mongo_leases import MongoLeases
from .adapters.mongo_recipient_messages import MongoRecipientMessages
from .adapters.mongo_recipients import MongoRecipientRepository
from .adapters.mongo_release_log import MongoReleaseLog
from .adapters.mongo_templates import MongoTemplateRepository
from .adapters.organisations_file import load_organisation_names
from .adapters.rabbit_publisher import RabbitPublisher
from .config import DEV_LINK_SECRET, CampaignSettings
from .domain.links import LinkSigner
from .domain.messages import MessageRenderer
from .handlers.deps import Deps
from .ports import CreditSource, Publisher

log = logging.getLogger(__name__)


def build_renderer(settings: CampaignSettings) -> MessageRenderer:
    signer = LinkSigner(settings.link_secret.get_secret_value().encode(), settings.link_base_url)
    return MessageRenderer(signer, load_organisation_names(settings.organisations_file))


def warn_if_insecure(settings: CampaignSettings) -> None:
    if settings.link_secret.get_secret_value() == DEV_LINK_SECRET:
        log.warning(
            "CAMPAIGN_LINK_SECRET is not set: patients' links are signed with the development "
            "key, so anyone could forge them. Set it before messaging real patients."
        )


def build_store_deps(
    mongo: MongoHandle,
    publisher: Publisher,
    credit: CreditSource,
    renderer: MessageRenderer,
    *,
    release_batch_size: int = 200,
) -> Deps:
    """Every repository on ``mongo``; the broker-facing parts are given (tests give fakes)."""
    return Deps(
        campaigns=MongoCampaignRepository(mongo),
        lists=MongoPatientListRepository(mongo),
        recipients=MongoRecipientRepository(mongo),
        releases=MongoReleaseLog(mongo),
        publisher=publisher,
        audit=MongoAuditTrail(mongo),
        credit=credit,
        release_batch_size=release_batch_size,
        templates=MongoTemplateRepository(mongo),
        recipient_messages=MongoRecipientMessages(mongo),
        renderer=renderer,
        early_receipts=MongoEarlyReceipts(mongo),
        leases=MongoLeases(mongo),
    )


def build_deps(
    settings: CampaignSettings,
    mongo: MongoHandle,
    broker: RabbitBroker,
    topology: Topology,
    rpc: RpcClient,
) -> Deps:
    return build_store_deps(
        mongo,
        RabbitPublisher(broker, topology),
        DispatchCreditSource(rpc),
        build_renderer(settings),
        release_batch_size=settings.release_batch_size,
    )
