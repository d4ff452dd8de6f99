"""Where campaigns, their patient lists, templates and audit trail are kept."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from cohort_contracts import campaign_views
from cohort_contracts.vocabulary import CampaignStatus, CampaignType

from ..domain.audit import AuditEntry
from ..domain.model import Campaign, PatientList
from ..domain.rows import ListProgress, ListRow
from ..domain.templates import Template


class ConcurrentUpdate(Exception):
    """The campaign was saved by someone else since it was read: read it again and decide
    again (``handlers.changes.change_campaign`` does)."""


class CampaignRepository(Protocol):
    """Campaigns, always read within the organisations the caller may read. ``save`` is a
    compare-and-set on the campaign's ``version``: it raises ``ConcurrentUpdate`` instead of
    overwriting a newer state."""

    async def add(self, campaign: Campaign) -> bool:
        """False if a campaign with this id exists already (a repeated create)."""
        ...

    async def get(self, org_id: str, campaign_id: UUID) -> Campaign | None: ...
    async def get_in(self, orgs: Sequence[str], campaign_id: UUID) -> Campaign | None:
        """The campaign if it belongs to one of ``orgs`` (a network user's member practices)."""
        ...

    async def save(self, campaign: Campaign) -> None: ...
    async def page(
        self, orgs: Sequence[str], status: CampaignStatus | None, skip: int, limit: int
    ) -> tuple[list[Campaign], int]: ...
    async def list_sending(self) -> list[Campaign]:
        """Every organisation's campaigns in ``sending``: the release sweeper's work list."""
        ...

    async def list_due(self, now: datetime) -> list[Campaign]:
        """Every organisation's scheduled campaigns whose ``send_at`` is at or before ``now``."""
        ...

    async def list_unsettled(self) -> list[Campaign]:
        """Ended campaigns whose counters have not been checked against their recipients."""
        ...

    async def mark_counts_settled(self, campaign_id: UUID) -> None: ...


class PatientListRepository(Protocol):
    async def add(self, patient_list: PatientList, *, rows_pending: bool = False) -> PatientList:
        """Store a new list; for a repeated registration, the list as first stored.
        ``rows_pending``: campaign hands the list's rows to ingest itself (send-again), and
        the list is ``rows_pending`` until ``rows_queued`` says all of them were."""
        ...

    async def rows_queued(self, list_id: UUID) -> None: ...
    async def rows_pending(self, before: datetime) -> list[PatientList]:
        """Lists pending since ``before`` or earlier: their rows may not all have been handed
        out (the request doing it died, or was dropped past its deadline)."""
        ...

    async def claim_rows_pending(self, list_id: UUID, before: datetime, now: datetime) -> bool:
        """True for the one caller that finds it still pending since ``before``; it is then
        pending since ``now``."""
        ...

    async def get(self, org_id: str, campaign_id: UUID, list_id: UUID) -> PatientList | None: ...
    async def for_campaign(self, campaign_id: UUID) -> list[PatientList]: ...
    async def remove(self, org_id: str, campaign_id: UUID, list_id: UUID) -> None:
        """Deletes the list and its rows (its recipients are the recipients port's)."""
        ...

    async def record_rows(self, rows: Sequence[ListRow]) -> None:
        """Store each row's outcome once; a row already stored is left as it is."""
        ...

    async def progress(self, patient_list: PatientList) -> ListProgress: ...
    async def unsuccessful(self, list_id: UUID, after_row: int, limit: int) -> list[ListRow]: ...
    async def failed_by_reason(self, campaign_id: UUID) -> dict[str, int]: ...
    async def mark_duplicate(self, recipient_id: str) -> None:
        """The row that held this recipient lost it to an earlier occurrence of the patient."""
        ...

    async def mark_placed(self, list_id: UUID, placed: Sequence[tuple[int, str]]) -> None:
        """Rows (by number) counted duplicates that now hold these recipients, their patient's
        holder having gone with a removed list."""
        ...


class TemplateRepository(Protocol):
    """Organisations' own templates (built-in ones live in code). Every version is kept."""

    async def add(self, template: Template) -> bool:
        """Store version 1; False if a template with this id already exists."""
        ...

    async def get_in(self, orgs: Sequence[str], template_id: str) -> Template | None: ...
    async def list_in(
        self, orgs: Sequence[str], type: CampaignType | None, include_archived: bool
    ) -> list[Template]: ...
    async def add_version(self, template: Template, request_id: UUID) -> Template | None:
        """Store ``template`` as the version after the current one. Returns what is stored for
        ``request_id`` (the same request again changes nothing), or None if someone else's
        version got there first."""
        ...

    async def version(self, template_id: str, version: int) -> Template | None: ...
    async def archive(self, template: Template) -> None: ...


class AuditTrail(Protocol):
    """Append-only: who created, uploaded, composed, test-sent, sent, paused, resumed or
    cancelled a campaign, and when. An entry whose ``key`` is already stored is not added
    again (a redelivered request)."""

    async def append(self, entry: AuditEntry) -> None: ...
    async def entries(self, org_id: str, campaign_id: UUID) -> list[campaign_views.AuditEntry]: ...


class People(Protocol):
    """Staff's names by user id, per organisation, as their sign-in last gave them: what views
    show where an id names a person (who created, sent, approved or sent back a campaign; who
    did each step of its audit trail). One organisation never reads another's."""

    async def note(self, org_id: str, user_id: str, name: str) -> None: ...
    async def names(self, org_id: str, user_ids: Iterable[str]) -> dict[str, str]:
        """The known names of ``user_ids`` in ``org_id``; an id with none is left out."""
        ...
