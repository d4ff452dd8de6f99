"""Everything a handler may touch, built once by ``bootstrap``."""

from dataclasses import dataclass

from ..ports import (
    AuditTrail,
    CampaignRepository,
    CreditSource,
    PatientListRepository,
    Publisher,
    RecipientRepository,
    ReleaseLog,
)


@dataclass
class Deps:
    campaigns: CampaignRepository
    lists: PatientListRepository
    recipients: RecipientRepository
    releases: ReleaseLog
    publisher: Publisher
    audit: AuditTrail
    credit: CreditSource
    #: Recipients per ``SendMessages`` command.
    release_batch_size: int = 200
