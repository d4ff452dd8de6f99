"""The only place that builds real adapters."""

import logging

import httpx2
from faststream.rabbit import RabbitBroker

from cohort_mongo import MongoLeases
from cohort_platform.broker import RabbitPublisher
from cohort_platform.rpc import RpcClient
from cohort_platform.topology import Topology

from .adapters.dispatch_credit import DispatchCreditSource
from .adapters.gpconnect import GpConnectClient, GpConnectConfig
from .adapters.mongo_audit import MongoAuditTrail
from .adapters.mongo_campaigns import MongoCampaignRepository, MongoPatientListRepository
from .adapters.mongo_database import MongoHandle
from .adapters.mongo_early_receipts import MongoEarlyReceipts
from .adapters.mongo_patient import (
    MongoAppointments,
    MongoLinkAccess,
    MongoPatientEvents,
    MongoResponses,
)
from .adapters.mongo_people import MongoPeople
from .adapters.mongo_rechecks import MongoRechecks
from .adapters.mongo_recipient_exclusions import MongoRecipientExclusions
from .adapters.mongo_recipient_messages import MongoRecipientMessages
from .adapters.mongo_recipients import MongoRecipientRepository
from .adapters.mongo_release_log import MongoReleaseLog
from .adapters.mongo_repeat_history import MongoRepeatHistory
from .adapters.mongo_send_again import MongoSendAgainSource
from .adapters.mongo_suppressions import MongoSuppressions
from .adapters.mongo_templates import MongoTemplateRepository
from .adapters.organisations_file import OrganisationsFile
from .config import DEV_LINK_SECRET, CampaignSettings
from .domain.links import LinkSigner
from .domain.messages import MessageRenderer
from .domain.opt_out import UnsubscribeSigner
from .domain.patient_access import AccessPolicy, SessionSigner
from .domain.safety_policy import UNRESTRICTED, SafetyPolicies
from .domain.sms_cost import CreditPrices
from .handlers.deps import Deps
from .handlers.patient_deps import PatientDeps, PracticeInfo
from .ports.sending import CreditSource, Publisher

log = logging.getLogger(__name__)


def build_renderer(settings: CampaignSettings, names: dict[str, str]) -> MessageRenderer:
    signer = LinkSigner(settings.link_secret.get_secret_value().encode(), settings.link_base_url)
    return MessageRenderer(signer, names)


def open_store(settings: CampaignSettings) -> MongoHandle:
    """The service's MongoDB (``MONGODB_URL``), or the in-process stand-in without one."""
    return MongoHandle(settings.mongodb_url, settings.mongodb_database)


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
    patient: PatientDeps | None = None,
    unsubscribe: UnsubscribeSigner | None = None,
    unsubscribe_base_url: str = "https://book.example.nhs.uk/v1/unsubscribe/",
    recheck_after_s: float = 24 * 3600,
    unsubscribe_page_url: str = "https://book.example.nhs.uk/u/",
    safety: SafetyPolicies = UNRESTRICTED,
    failed_number_days: int = 90,
    credit_prices: CreditPrices | None = None,
) -> Deps:
    """Every repository on ``mongo``; the broker-facing parts are given (tests give fakes)."""
    return Deps(
        campaigns=MongoCampaignRepository(mongo),
        lists=MongoPatientListRepository(mongo),
        recipients=MongoRecipientRepository(mongo),
        releases=MongoReleaseLog(mongo),
        publisher=publisher,
        audit=MongoAuditTrail(mongo),
        people=MongoPeople(mongo),
        credit=credit,
        release_batch_size=release_batch_size,
        templates=MongoTemplateRepository(mongo),
        recipient_messages=MongoRecipientMessages(mongo),
        renderer=renderer,
        early_receipts=MongoEarlyReceipts(mongo),
        leases=MongoLeases(mongo),
        repeats=MongoRepeatHistory(mongo),
        send_again=MongoSendAgainSource(mongo),
        patient=patient or build_patient_deps(mongo, SessionSigner(b"test-only-session-key")),
        suppressions=MongoSuppressions(mongo),
        exclusions=MongoRecipientExclusions(mongo),
        unsubscribe=unsubscribe or UnsubscribeSigner(b"test-only-unsubscribe-key"),
        unsubscribe_base_url=unsubscribe_base_url,
        rechecks=MongoRechecks(mongo),
        recheck_after_s=recheck_after_s,
        unsubscribe_page_url=unsubscribe_page_url,
        safety=safety,
        failed_number_days=failed_number_days,
        credit_prices=credit_prices or CreditPrices(),
    )


def build_patient_deps(
    mongo: MongoHandle,
    sessions: SessionSigner,
    *,
    policy: AccessPolicy | None = None,
    practices: dict[str, PracticeInfo] | None = None,
    appointment_system: GpConnectClient | None = None,
    booking_weeks: int = 3,
) -> PatientDeps:
    return PatientDeps(
        access=MongoLinkAccess(mongo),
        appointments=MongoAppointments(mongo),
        responses=MongoResponses(mongo),
        events=MongoPatientEvents(mongo),
        sessions=sessions,
        policy=policy or AccessPolicy(),
        practices=practices or {},
        appointment_system=appointment_system,
        booking_weeks=booking_weeks,
    )


def build_gpconnect(settings: CampaignSettings) -> GpConnectClient | None:
    """The practices' appointment books, or None when ``CAMPAIGN_GPCONNECT_BASE_URL`` is unset.
    Its connection pool is closed with ``close_gpconnect``."""
    if settings.gpconnect_base_url is None:
        return None
    http = httpx2.AsyncClient(timeout=settings.gpconnect_timeout_s)
    config = GpConnectConfig(
        base_url=settings.gpconnect_base_url.rstrip("/"),
        from_asid=settings.gpconnect_from_asid,
        to_asid=settings.gpconnect_to_asid,
    )
    return GpConnectClient(http, config)


def patient_settings_deps(
    settings: CampaignSettings,
    mongo: MongoHandle,
    gp: GpConnectClient | None,
    organisations: OrganisationsFile,
) -> PatientDeps:
    phones = organisations.phones()
    return build_patient_deps(
        mongo,
        SessionSigner(settings.link_secret.get_secret_value().encode()),
        policy=AccessPolicy(
            max_attempts=settings.dob_max_attempts,
            delay_s=settings.dob_retry_delay_s,
            session_minutes=settings.patient_session_minutes,
        ),
        practices={
            ods: PracticeInfo(name, phones.get(ods)) for ods, name in organisations.names().items()
        },
        appointment_system=gp,
        booking_weeks=settings.booking_weeks,
    )


def build_deps(
    settings: CampaignSettings,
    mongo: MongoHandle,
    broker: RabbitBroker,
    topology: Topology,
    rpc: RpcClient,
    gp: GpConnectClient | None = None,
) -> Deps:
    organisations = OrganisationsFile.read(settings.organisations_file)
    return build_store_deps(
        mongo,
        RabbitPublisher(broker, topology),
        DispatchCreditSource(rpc),
        build_renderer(settings, organisations.names()),
        release_batch_size=settings.release_batch_size,
        patient=patient_settings_deps(settings, mongo, gp, organisations),
        # The link secret signs these too, with a purpose of their own (domain.opt_out).
        unsubscribe=UnsubscribeSigner(settings.link_secret.get_secret_value().encode()),
        unsubscribe_base_url=settings.unsubscribe_base_url,
        recheck_after_s=settings.recheck_after_h * 3600,
        unsubscribe_page_url=settings.unsubscribe_page_url,
        safety=organisations.safety_policies(settings.safety_default()),
        failed_number_days=settings.failed_number_days,
        credit_prices=organisations.credit_prices(settings.sms_credit_pence),
    )
