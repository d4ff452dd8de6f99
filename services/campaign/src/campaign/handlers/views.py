"""Domain objects → the read models campaign answers with."""

from typing import Any

from cohort_contracts.campaign_views import (
    CampaignCounts,
    CampaignView,
    MessageContent,
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
    c: Campaign, counts: dict[RecipientStatus, int], saved_to_record: int = 0
) -> CampaignView:
    return CampaignView(
        id=c.id,
        org_id=c.org_id,
        name=c.name,
        type=c.type,
        status=c.status,
        created_by=c.created_by,
        created_at=c.created_at,
        message=None if c.message is None else MessageContent(**vars(c.message)),
        counts=CampaignCounts(
            recipients=sum(counts.values()),
            queued=counts.get(RecipientStatus.QUEUED, 0) + counts.get(RecipientStatus.SENDING, 0),
            sent=counts.get(RecipientStatus.SENT, 0),
            delivered=counts.get(RecipientStatus.DELIVERED, 0),
            failed=counts.get(RecipientStatus.FAILED, 0),
            cancelled=counts.get(RecipientStatus.CANCELLED, 0),
            outcome_unknown=counts.get(RecipientStatus.OUTCOME_UNKNOWN, 0),
            saved_to_record=saved_to_record,
        ),
        paused_reason=c.paused_reason,
        allow_replies=c.allow_replies,
        booking=c.booking,
        questionnaire=c.questionnaire,
        link_expiry_days=c.link_expiry_days,
        template_id=c.template_id,
        template_version=c.template_version,
        send_at=c.send_at,
        send_requested_by=c.send_requested_by,
        approved_by=c.approved_by,
        sent_back_by=c.sent_back_by,
        sent_back_reason=c.sent_back_reason,
        held_until=c.held_until,
        spread_hours=c.spread_hours,
        follows_up=c.follows_up,
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
    return RecipientView(
        id=r.id,
        list_id=r.list_id,
        row_number=r.row_number,
        nhs_number=r.nhs_number,
        given_name=r.given_name,
        family_name=r.family_name,
        channel=r.channel,
        contact=r.contact,
        status=r.status,
        reason_code=_reason_code(r.reason_code),
        reason=r.reason,
        updated_at=r.updated_at,
        reply=r.reply,
        replied_at=r.replied_at,
        link_opened_at=r.link_opened_at,
        language=r.language,
        interpreter_required=r.interpreter_required,
        **record_fields(r),
    )


def _reason_code(code: str | None) -> SendReason | UploadReason | None:
    """A send's reason, or PDS's when the re-check before sending excluded the recipient."""
    if code is None:
        return None
    return SendReason(code) if code in SendReason.__members__ else UploadReason(code)


def record_fields(r: Recipient) -> dict[str, Any]:
    """Save to record in staff's words: "Saving to GP record…", "Saved to GP record" or
    "Not saved: <reason>" (None while nothing was delivered to save)."""
    if r.record_state is None:
        return {}
    state = RecordState(r.record_state)
    code = None if r.record_reason_code is None else RecordReason(r.record_reason_code)
    status = record_status(state)
    words = {"saving": SAVING_TEXT, "saved": SAVED_TEXT}.get(status)
    if words is None:
        words = RECORD_REASON_TEXT[code] if code is not None else "Not saved"
    return {"record_status": status, "record_reason": words, "record_reason_code": code}


def template_view(t: Template) -> TemplateView:
    return TemplateView(
        id=t.id,
        name=t.name,
        type=t.type,
        body=t.body,
        subject=t.subject,
        version=t.version,
        builtin=t.builtin,
        archived=t.archived,
        org_id=t.org_id,
    )
