"""Everything a handler may touch, built once by ``bootstrap``."""

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..domain.messages import MessageRenderer
from ..domain.opt_out import UnsubscribeSigner
from ..domain.safety_policy import UNRESTRICTED, SafetyPolicies
from ..domain.sms_cost import CreditPrices
from ..ports.campaigns import (
    AuditTrail,
    CampaignRepository,
    PatientListRepository,
    People,
    TemplateRepository,
)
from ..ports.recipients import (
    Rechecks,
    RecipientExclusions,
    RecipientMessages,
    RecipientRepository,
    RepeatHistory,
    SendAgainSource,
    SuppressionStore,
)
from ..ports.sending import CreditSource, EarlyReceipts, Leases, Publisher, ReleaseLog, Wakeup
from .patient_deps import PatientDeps


@dataclass
class Deps:
    campaigns: CampaignRepository
    lists: PatientListRepository
    recipients: RecipientRepository
    releases: ReleaseLog
    publisher: Publisher
    audit: AuditTrail
    credit: CreditSource
    #: Staff's names, for the views that name people by id.
    people: People = field(kw_only=True)
    #: Pence per SMS credit, for the review's cost estimate (organisations file, else
    #: CAMPAIGN_SMS_CREDIT_PENCE).
    credit_prices: CreditPrices = field(default_factory=CreditPrices, kw_only=True)
    #: Recipients per ``SendMessages`` command.
    release_batch_size: int = 200
    templates: TemplateRepository = field(kw_only=True)
    recipient_messages: RecipientMessages = field(kw_only=True)
    #: The one renderer for reviews, test sends and releases (links, practice names).
    renderer: MessageRenderer = field(kw_only=True)
    early_receipts: EarlyReceipts = field(kw_only=True)
    #: Half the request timeout dispatch waits for a claim (COHORT_RPC_TIMEOUT_S, 10 s).
    claim_deadline_s: float = field(default=5.0, kw_only=True)
    leases: Leases = field(kw_only=True)
    #: Names this process in leases it holds.
    instance_id: str = field(default_factory=lambda: uuid.uuid4().hex, kw_only=True)
    #: Wakes the save-to-record outbox drainer when a delivery set an entry pending.
    record_entries_waiting: Wakeup = field(default_factory=asyncio.Event, kw_only=True)
    #: The patient's side of links (booking and questionnaire campaigns).
    patient: PatientDeps | None = field(default=None, kw_only=True)
    #: Each organisation's opt-out list, and the recipients it takes out before sending.
    suppressions: SuppressionStore = field(kw_only=True)
    exclusions: RecipientExclusions = field(kw_only=True)
    #: Signs emails' one-click unsubscribe links; their URL is ``unsubscribe_base_url`` + token.
    unsubscribe: UnsubscribeSigner = field(kw_only=True)
    #: Re-check against PDS at release recipients PDS last confirmed longer ago than this
    #: (CAMPAIGN_RECHECK_AFTER_H); a re-check unanswered this long is asked for again.
    rechecks: Rechecks = field(kw_only=True)
    recheck_after_s: float = field(default=24 * 3600, kw_only=True)
    #: Numbers whose latest text within this many days failed for good are not texted again
    #: (CAMPAIGN_FAILED_NUMBER_DAYS); 0: off.
    failed_number_days: int = field(default=90, kw_only=True)
    recheck_timeout_s: float = field(default=600, kw_only=True)
    unsubscribe_page_url: str = field(default="https://book.example.nhs.uk/u/", kw_only=True)
    unsubscribe_base_url: str = field(
        default="https://book.example.nhs.uk/v1/unsubscribe/", kw_only=True
    )
    #: The repeat guard's lookups.
    repeats: RepeatHistory = field(kw_only=True)
    #: A finished campaign's patients another try may reach.
    send_again: SendAgainSource = field(kw_only=True)
    #: Each organisation's quiet hours, approval threshold and repeat window.
    #: Tests build these directly and send at any hour; the service always passes the
    #: settings' policies (``bootstrap.build_deps``), quiet hours on by default.
    safety: SafetyPolicies = field(default=UNRESTRICTED, kw_only=True)
    #: "Now", injected so tests move time instead of sleeping.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), kw_only=True)
