"""Domain objects → the read models campaign answers with."""

from typing import Any

from cohort_contracts.campaign_views import (
    CampaignCounts,
    CampaignView,
    PatientListView,
    ReasonCount,
    RecipientView,
    TemplateView,
)
from cohort_contracts.record import (
    RECORD_REASON_TEXT,
    SAVED_TEXT,
    SAVING_TEXT,
    RecordReason,
    RecordState,
    record_status,
)
from cohort_contracts.vocabulary import (
    UPLOAD_REASON_TEXT,
    ListStatus,
    RecipientStatus,
    SendReason,
    UploadReason,
)

from ..domain.model import Campaign, PatientList, Recipient
from ..domain.rows import ListProgress
from ..domain.templates import Template


def campaign_view(
    c: Campaign,
    counts: dict[RecipientStatus, int],
    saved_to_record: int = 0,
    people: dict[str, str] | None = None,
) -> CampaignView:
    """The campaign's own fields, which the view names alike, its recipients' counts and the
    known names of the people it names (``named_in``)."""
    view = CampaignView.model_validate(c, from_attributes=True)
    update = {"counts": _counts(counts, saved_to_record), "people": people or {}}
    return view.model_copy(update=update)


def named_in(c: Campaign) -> set[str]:
    """The user ids a campaign's view names people by."""
    named = (c.created_by, c.send_requested_by, c.approved_by, c.sent_back_by)
    return {user_id for user_id in named if user_id}


def _counts(counts: dict[RecipientStatus, int], saved_to_record: int) -> CampaignCounts:
    return CampaignCounts(
        recipients=sum(counts.values()),
        queued=counts.get(RecipientStatus.QUEUED, 0) + counts.get(RecipientStatus.SENDING, 0),
        sent=counts.get(RecipientStatus.SENT, 0),
        delivered=counts.get(RecipientStatus.DELIVERED, 0),
        failed=counts.get(RecipientStatus.FAILED, 0),
        cancelled=counts.get(RecipientStatus.CANCELLED, 0),
        outcome_unknown=counts.get(RecipientStatus.OUTCOME_UNKNOWN, 0),
        saved_to_record=saved_to_record,
    )


def reason_counts(by_reason: dict[str, int]) -> list[ReasonCount]:
    return [
        ReasonCount(
            reason_code=UploadReason(code), reason=UPLOAD_REASON_TEXT[UploadReason(code)], count=n
        )
        for code, n in sorted(by_reason.items())
    ]


def list_view(p: PatientList, progress: ListProgress) -> PatientListView:
    done = progress.processed >= p.total_rows
    return PatientListView(
        id=p.id,
        campaign_id=p.campaign_id,
        channel=p.channel,
        filename=p.filename,
        status=ListStatus.COMPLETE if done else ListStatus.RESOLVING,
        total_rows=p.total_rows,
        processed_rows=progress.processed,
        succeeded=progress.succeeded,
        failed=progress.failed,
        failed_by_reason=reason_counts(progress.failed_by_reason),
        created_at=p.created_at,
    )


def recipient_view(r: Recipient) -> RecipientView:
    """The recipient's own fields, which the view names alike, with its reason in the
    contract's vocabulary and save to record in staff's words."""
    view = RecipientView.model_validate(r, from_attributes=True)
    return view.model_copy(update={"reason_code": _reason_code(r.reason_code), **record_fields(r)})


def _reason_code(code: str | None) -> SendReason | UploadReason | None:
    """A send's reason, or PDS's when the re-check before sending excluded the recipient."""
    if code is None:
        return None
    return SendReason(code) if code in SendReason.__members__ else UploadReason(code)


def record_fields(r: Recipient) -> dict[str, Any]:
    """Save to record in staff's words: "Saving to GP record…", "Saved to GP record" or
    "Not saved: <reason>" (None while nothing was delivered to save)."""
    if r.record_state is None:
        return {"record_status": None, "record_reason": None, "record_reason_code": None}
    state = RecordState(r.record_state)
    code = None if r.record_reason_code is None else RecordReason(r.record_reason_code)
    status = record_status(state)
    words = {"saving": SAVING_TEXT, "saved": SAVED_TEXT}.get(status)
    if words is None:
        words = RECORD_REASON_TEXT[code] if code is not None else "Not saved"
    return {"record_status": status, "record_reason": words, "record_reason_code": code}


def template_view(t: Template) -> TemplateView:
    return TemplateView.model_validate(t, from_attributes=True)
