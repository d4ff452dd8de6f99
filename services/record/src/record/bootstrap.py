"""The only place that builds real adapters from settings."""

import json
import logging
from pathlib import Path

from faststream.rabbit import RabbitBroker

from cohort_mongo import MongoLeases
from cohort_platform.broker import RabbitPublisher
from cohort_platform.topology import Topology

from .adapters.mesh import MailboxCredentials, MeshMailboxClient
from .adapters.mongo_database import MongoHandle
from .adapters.mongo_entries import MongoRecordEntries
from .adapters.mongo_leases import MongoInboxLog
from .config import RecordSettings
from .domain.addressing import PracticeRoute
from .domain.document import DocumentCodes, Sender
from .domain.model import AckTimeouts, RetryPolicy
from .handlers.deps import Deps, PracticeConfig
from .ports import EventPublisher, MeshMailbox

log = logging.getLogger(__name__)


def organisation_names(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    data = json.loads(path.read_text())
    return {o["ods"]: o["name"] for o in data.get("organisations", [])}


def practices(settings: RecordSettings) -> dict[str, PracticeConfig]:
    names = organisation_names(settings.organisations_file)
    return {
        ods: PracticeConfig(
            name=p.name or names.get(ods, ods),
            route=PracticeRoute(p.addressing, p.mailbox),
        )
        for ods, p in settings.practices.items()
        if p.enabled
    }


def mesh_mailbox(settings: RecordSettings) -> MeshMailboxClient:
    cert = None
    if settings.mesh_cert_file is not None and settings.mesh_key_file is not None:
        cert = (str(settings.mesh_cert_file), str(settings.mesh_key_file))
    return MeshMailboxClient(
        MailboxCredentials(
            url=settings.mesh_url,
            mailbox=settings.mesh_mailbox,
            password=settings.mesh_password.get_secret_value(),
            shared_key=settings.mesh_shared_key.get_secret_value(),
            cert=cert,
            verify=None if settings.mesh_ca_file is None else str(settings.mesh_ca_file),
            timeout_s=settings.mesh_timeout_s,
        )
    )


def open_store(settings: RecordSettings) -> MongoHandle:
    """The service's MongoDB (``MONGODB_URL``), or the in-process stand-in without one."""
    return MongoHandle(settings.mongodb_url, settings.mongodb_database)


def warn_if_insecure(settings: RecordSettings) -> None:
    if settings.uses_dev_secrets:
        log.warning(
            "RECORD_MESH_PASSWORD / RECORD_MESH_SHARED_KEY are mesh-sandbox's development "
            "values: not for a real MESH"
        )


def build_store_deps(
    settings: RecordSettings,
    mongo: MongoHandle,
    mailbox: MeshMailbox,
    publisher: EventPublisher,
) -> Deps:
    """Every store on ``mongo``; MESH and the broker are given (tests give fakes)."""
    return Deps(
        entries=MongoRecordEntries(mongo),
        mailbox=mailbox,
        publisher=publisher,
        leases=MongoLeases(mongo),
        inbox_log=MongoInboxLog(mongo),
        practices=practices(settings),
        sender=Sender(settings.sender_ods_code, settings.sender_name, settings.mesh_mailbox),
        codes=DocumentCodes(
            settings.document_type_code,
            settings.document_type_display,
            settings.care_setting_code,
            settings.care_setting_display,
        ),
        workflow_id=settings.workflow_id,
        ack_workflow_id=settings.ack_workflow_id,
        retry=RetryPolicy(tuple(settings.retry_delays_s)),
        timeouts=AckTimeouts(
            settings.infrastructure_ack_timeout_s, settings.business_ack_timeout_s
        ),
        claim_s=settings.claim_s,
        verify_first_send=settings.verify_first_send,
    )


def build_deps(
    settings: RecordSettings,
    mongo: MongoHandle,
    mailbox: MeshMailbox,
    broker: RabbitBroker,
    topology: Topology,
) -> Deps:
    return build_store_deps(settings, mongo, mailbox, RabbitPublisher(broker, topology))
