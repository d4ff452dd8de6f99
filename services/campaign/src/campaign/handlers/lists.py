"""Patient lists: registering an upload, recording its resolved rows, reporting progress."""

import logging
import uuid
from datetime import UTC, datetime

from cohort_contracts.campaign_requests import (
    GetPatientList,
    GetUnsuccessfulRows,
    RegisterPatientList,
)
from cohort_contracts.campaign_views import (
    PatientListView,
    UnsuccessfulRow,
    UnsuccessfulRowsPage,
)
from cohort_contracts.ingest import RowsResolved
from cohort_contracts.vocabulary import (
    UPLOAD_REASON_TEXT,
    CampaignStatus,
    RecipientStatus,
    UploadReason,
)

from ..domain.model import Campaign, PatientList, Recipient
from ..domain.rendering import display_name
from ..domain.rows import ListRow
from .audit_trail import record_request
from .changes import change_campaign
from .deps import Deps
from .failed_numbers import failed_before
from .list_removal import drop_list
from .loading import load_campaign, load_list, reload_campaign
from .suppressions import suppressed_of
from .views import list_view

log = logging.getLogger(__name__)


async def accept_list(deps: Deps, org_id: str, campaign_id: uuid.UUID) -> Campaign:
    """The campaign, saved as a new version once it has agreed to take another list (a draft
    only). Saved before the list exists: a send that reviewed the campaign without this list
    then fails its compare-and-set and reviews again, finding the list resolving."""

    async def accept(campaign: Campaign) -> bool:
        campaign.accept_list()
        return True

    campaign, _ = await change_campaign(
        deps.campaigns, reload_campaign(deps, org_id, campaign_id), accept
    )
    return campaign


async def register_patient_list(req: RegisterPatientList, deps: Deps) -> PatientListView:
    campaign = await accept_list(deps, req.org_id, req.campaign_id)
    patient_list = PatientList(
        id=req.list_id,
        campaign_id=req.campaign_id,
        org_id=req.org_id,
        channel=req.channel,
        filename=req.filename,
        columns=req.columns,
        total_rows=req.total_rows,
        created_at=datetime.now(UTC),
    )
    patient_list = await deps.lists.add(patient_list)
    await record_request(
        deps,
        campaign,
        req,
        "list_uploaded",
        list_id=str(req.list_id),
        # The audit trail names the file by it even once the list is removed.
        filename=req.filename,
        rows=req.total_rows,
    )
    log.info("patient list registered", extra={"list_id": str(req.list_id), "rows": req.total_rows})
    return list_view(patient_list, await deps.lists.progress(patient_list))


async def record_resolved_rows(event: RowsResolved, deps: Deps) -> None:
    """Idempotent: a redelivered batch finds its recipients and rows already stored. A patient
    who appears twice (in this list or another of the campaign) is messaged once: the first
    occurrence, by list registration and row number, keeps the recipient whatever order the
    batches are resolved in; the others are DUPLICATE_PATIENT."""
    campaign = await deps.campaigns.get(event.org_id, event.campaign_id)
    patient_list = await deps.lists.get(event.org_id, event.campaign_id, event.list_id)
    if campaign is None or patient_list is None or campaign.status is CampaignStatus.CANCELLED:
        # Rows of a list staff removed while it was being checked are expected, not a fault.
        removed = campaign is not None and campaign.removed(event.list_id)
        log.log(
            logging.INFO if removed else logging.WARNING,
            "rows of a removed list dropped"
            if removed
            else "rows for an unknown or cancelled campaign",
            extra={"list_id": str(event.list_id)},
        )
        return
    now = datetime.now(UTC)
    list_rank = patient_list.ordinal
    new = {
        o.row_number: Recipient(
            # Derived from the row, so a redelivered batch names the same recipient.
            id=uuid.uuid5(event.list_id, str(o.row_number)).hex,
            org_id=event.org_id,
            campaign_id=event.campaign_id,
            list_id=event.list_id,
            row_number=o.row_number,
            nhs_number=o.patient.nhs_number,
            given_name=display_name(o.patient.given_name),
            family_name=display_name(o.patient.family_name),
            channel=event.channel,
            contact=o.patient.contact,
            status=RecipientStatus.READY,
            updated_at=now,
            source_rank=f"{list_rank}:{o.row_number:07d}",
            birth_date=o.patient.birth_date,
            language=o.patient.language,
            interpreter_required=o.patient.interpreter_required,
            checked_at=now,
        )
        for o in event.outcomes
        if o.patient is not None and o.reason_code is None
    }
    # A patient on the organisation's opt-out list never becomes a recipient, nor one whose
    # number failed for good when last texted.
    opted_out = await suppressed_of(deps, event.org_id, list(new.values()))
    failed = await failed_before(deps, event.org_id, list(new.values()))
    left_out = {
        row: UploadReason.OPTED_OUT if r.id in opted_out else UploadReason.NUMBER_FAILED_BEFORE
        for row, r in new.items()
        if r.id in opted_out or r.id in failed
    }
    new = {row: r for row, r in new.items() if row not in left_out}
    placement = await deps.recipients.add_unique(
        list(new.values()), removed_lists=campaign.removed_lists
    )
    for displaced_id in placement.displaced:
        await deps.lists.mark_duplicate(displaced_id)
    duplicates = set(placement.duplicates) | set(placement.displaced)
    rows = []
    for o in event.outcomes:
        recipient = new.get(o.row_number)
        reason = o.reason_code
        if o.patient is not None and reason is None and recipient is None:
            reason = left_out[o.row_number]
        elif recipient is not None and recipient.id in duplicates:
            reason, recipient = UploadReason.DUPLICATE_PATIENT, None
        elif recipient is None and reason is None:
            reason = UploadReason.PDS_UNAVAILABLE  # a row ingest could not explain is retryable
        rows.append(
            ListRow(
                list_id=event.list_id,
                campaign_id=event.campaign_id,
                org_id=event.org_id,
                row_number=o.row_number,
                cells=o.cells,
                reason_code=None if reason is None else reason.value,
                recipient_id=None if recipient is None else recipient.id,
            )
        )
    await deps.lists.record_rows(rows)
    # A later batch may have displaced one of ours (an earlier row of the same patient) between
    # our insert and our rows being stored; it marks rows it can see, we mark the rest.
    kept = [r.recipient_id for r in rows if r.recipient_id is not None]
    for recipient_id in await deps.recipients.missing(kept):
        await deps.lists.mark_duplicate(recipient_id)
    latest = await deps.campaigns.get(event.org_id, event.campaign_id)
    if await _removed_meanwhile(deps, event, latest):
        return
    await _place_again_if_a_list_went(deps, event, (campaign, latest), new, rows)
    log.info(
        "rows recorded",
        extra={"list_id": str(event.list_id), "batch": event.batch_number, "rows": len(rows)},
    )


async def get_patient_list(req: GetPatientList, deps: Deps) -> PatientListView:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    patient_list = await load_list(deps, campaign, req.list_id)
    return list_view(patient_list, await deps.lists.progress(patient_list))


async def get_unsuccessful_rows(req: GetUnsuccessfulRows, deps: Deps) -> UnsuccessfulRowsPage:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    patient_list = await load_list(deps, campaign, req.list_id)
    rows = await deps.lists.unsuccessful(req.list_id, req.after_row, req.limit)
    return UnsuccessfulRowsPage(
        columns=patient_list.columns,
        rows=[
            UnsuccessfulRow(
                row_number=r.row_number,
                cells=r.cells,
                reason_code=UploadReason(r.reason_code),
                reason=UPLOAD_REASON_TEXT[UploadReason(r.reason_code)],
            )
            for r in rows
            if r.reason_code is not None
        ],
        next_after=rows[-1].row_number if len(rows) == req.limit else None,
    )


async def _place_again_if_a_list_went(
    deps: Deps,
    event: RowsResolved,
    read: tuple[Campaign, Campaign | None],
    new: dict[int, Recipient],
    rows: list[ListRow],
) -> None:
    """A row counted a duplicate of a patient held by a list staff removed while this batch was
    placed (the removal had not marked the campaign when this batch read it) would lose that
    patient when the removal deletes the list's recipients. Such rows are placed again, now
    knowing the list is removed: the holder gives way (or has gone), and the row keeps the
    patient."""
    before, campaign = read  # as this batch was placed, and as it is now
    if campaign is None or set(campaign.removed_lists) <= set(before.removed_lists):
        return
    duplicate = UploadReason.DUPLICATE_PATIENT.value
    again = [new[r.row_number] for r in rows if r.reason_code == duplicate and r.row_number in new]
    if not again:
        return
    placement = await deps.recipients.add_unique(again, removed_lists=campaign.removed_lists)
    for displaced_id in placement.displaced:
        await deps.lists.mark_duplicate(displaced_id)
    placed = [r for r in again if r.id not in placement.duplicates]
    await deps.lists.mark_placed(event.list_id, [(r.row_number, r.id) for r in placed])
    log.info(
        "rows placed again after a list was removed",
        extra={"list_id": str(event.list_id), "rows": len(placed)},
    )


async def _removed_meanwhile(deps: Deps, event: RowsResolved, campaign: Campaign | None) -> bool:
    """Staff may have removed the list while this batch was being recorded: it was found
    before the removal and stored after it, so it is deleted here (the removal marks the
    campaign before deleting, so one of the two always sees the other's patients)."""
    if campaign is None or not campaign.removed(event.list_id):
        return False
    patients = await drop_list(deps, event.org_id, event.campaign_id, event.list_id)
    log.info(
        "rows of a removed list dropped",
        extra={"list_id": str(event.list_id), "patients": patients},
    )
    return True
