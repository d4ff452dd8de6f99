"""The only place that builds real adapters."""

from faststream.rabbit import RabbitBroker

from cohort_platform.rpc import RpcClient
from cohort_platform.topology import Topology

from .adapters.dispatch_credit import DispatchCreditSource
from .adapters.mongo_audit import MongoAuditTrail
from .adapters.mongo_campaigns import MongoCampaignRepository, MongoPatientListRepository
from .adapters.mongo_database import MongoHandle
from .adapters.mongo_recipients import MongoRecipientRepository, MongoReleaseLog
from .adapters.rabbit_publisher import RabbitPublisher
from .config import CampaignSettings
from .handlers.deps import Deps


def build_deps(
    settings: CampaignSettings,
    mongo: MongoHandle,
    broker: RabbitBroker,
    topology: Topology,
    rpc: RpcClient,
) -> Deps:
    return Deps(
        campaigns=MongoCampaignRepository(mongo),
        lists=MongoPatientListRepository(mongo),
        recipients=MongoRecipientRepository(mongo),
        releases=MongoReleaseLog(mongo),
        publisher=RabbitPublisher(broker, topology),
        audit=MongoAuditTrail(mongo),
        credit=DispatchCreditSource(rpc),
        release_batch_size=settings.release_batch_size,
    )
