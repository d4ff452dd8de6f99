"""What staff read of patients' links: one patient's activity (opened, confirmed, booked,
answered), a campaign's appointments and questionnaire responses, and the counts of each in
the campaign overview (added to ``GetCampaign`` and ``ListCampaigns``)."""

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from cohort_contracts.campaign_requests import GetCampaign, ListCampaigns
from cohort_contracts.campaign_views import CampaignCounts, CampaignPage, CampaignView
from cohort_contracts.patient_links import (
    ActivityEvent,
    AppointmentsPage,
    GetRecipientActivity,
    ListAppointments,
    ListQuestionnaireResponses,
    QuestionnaireResponsesPage,
    RecipientActivity,
    RecipientAppointment,
    RecipientResponse,
)

from ..domain.appointments import AppointmentRecord
from ..domain.cursors import next_cursor
from ..domain.errors import Conflict, NotFound
from ..domain.model import Campaign, Recipient
from ..domain.questionnaires import QuestionnaireResponse
from ..domain.time_order import TimePosition
from ..ports.patient_links import TimeOrderedPages
from . import campaigns
from .deps import Deps
from .loading import load_campaign, load_recipient
from .patient_booking import appointment_view
from .patient_questionnaire import questionnaire_of, questionnaire_view, response_view


async def _recipients(deps: Deps, campaign: Campaign, ids: list[str]) -> dict[str, Recipient]:
    """A page's patients, read together rather than one query each."""
    recipients = await deps.recipients.of_campaign(campaign.org_id, campaign.id, ids)
    if len(recipients) < len(set(ids)):
        raise NotFound("Patient not found in this campaign.")
    return recipients


async def get_activity(req: GetRecipientActivity, deps: Deps) -> RecipientActivity:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    recipient = await load_recipient(deps, campaign, req.recipient_id)
    patient = deps.patient
    if patient is None or campaign.type == "basic":
        return RecipientActivity(recipient_id=recipient.id)
    access = await patient.access.get(recipient.id)
    active = await patient.appointments.active(recipient.id)
    stored = await patient.responses.get(recipient.id)
    response = None
    if stored is not None and campaign.questionnaire is not None:
        response = response_view(questionnaire_of(campaign), stored)
    events = await patient.events.of(recipient.id)
    return RecipientActivity(
        recipient_id=recipient.id,
        opened_at=recipient.link_opened_at,
        verified_at=access.verified_at,
        wrong_birth_dates=access.failures,
        locked_at=access.locked_at,
        appointment=None if active is None else appointment_view(active),
        questionnaire_response=response,
        events=[ActivityEvent(at=e.at, action=e.action, details=e.details) for e in events],
    )


async def list_responses(req: ListQuestionnaireResponses, deps: Deps) -> QuestionnaireResponsesPage:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    if campaign.type != "questionnaire" or deps.patient is None:
        raise Conflict("Only a questionnaire campaign has responses.")
    q = questionnaire_of(campaign)
    responses, total, next_after = await _page(
        deps, campaign, deps.patient.responses, req, _response_position
    )
    return QuestionnaireResponsesPage(
        questionnaire=questionnaire_view(q),
        items=[
            RecipientResponse(
                recipient_id=r.id,
                nhs_number=r.nhs_number,
                given_name=r.given_name,
                family_name=r.family_name,
                response=response_view(q, stored),
            )
            for stored, r in responses
        ],
        total=total,
        page=req.page,
        page_size=req.page_size,
        next_after=next_after,
    )


class _OfPatient(Protocol):
    """Something stored for one of the campaign's patients (an appointment, a response)."""

    @property
    def recipient_id(self) -> str: ...


T = TypeVar("T", bound=_OfPatient)


async def _page(
    deps: Deps,
    campaign: Campaign,
    store: TimeOrderedPages[T],
    req: ListQuestionnaireResponses | ListAppointments,
    position: Callable[[T], TimePosition],
) -> tuple[list[tuple[T, Recipient]], int, str | None]:
    """The page the request asks for (after its cursor, or by its number), each item with its
    patient; how many in all; and the cursor of the next page: none after a page that is not
    full."""
    if req.after is not None:
        after = TimePosition.parse(req.after)
        items, total = await store.page_after(campaign.id, after, req.page_size)
    else:
        items, total = await store.page(campaign.id, (req.page - 1) * req.page_size, req.page_size)
    patients = await _recipients(deps, campaign, [i.recipient_id for i in items])
    return (
        [(i, patients[i.recipient_id]) for i in items],
        total,
        next_cursor(items, req.page_size, position),
    )


def _response_position(response: QuestionnaireResponse) -> TimePosition:
    return TimePosition(response.authored, response.recipient_id)


async def list_appointments(req: ListAppointments, deps: Deps) -> AppointmentsPage:
    campaign = await load_campaign(deps, req.readable_orgs, req.campaign_id)
    if campaign.type != "booking" or deps.patient is None:
        raise Conflict("Only a booking campaign has appointments.")
    records, total, next_after = await _page(
        deps, campaign, deps.patient.appointments, req, _appointment_position
    )
    items = [
        RecipientAppointment(
            recipient_id=r.id,
            given_name=r.given_name,
            family_name=r.family_name,
            appointment=appointment_view(record),
        )
        for record, r in records
    ]
    return AppointmentsPage(
        items=items, total=total, page=req.page, page_size=req.page_size, next_after=next_after
    )


def _appointment_position(record: AppointmentRecord) -> TimePosition:
    return TimePosition(record.start, record.id)


# -- counts in the overview ----------------------------------------------------------------------
async def _patient_counts(deps: Deps, views: Sequence[CampaignView]) -> list[CampaignView]:
    linked = [v.id for v in views if v.type != "basic"]
    if deps.patient is None or not linked:
        return list(views)
    events = await deps.patient.events.counts(linked, ["opened", "cancelled"])
    booked = await deps.patient.appointments.booked_counts(linked)
    answered = await deps.patient.responses.counts(linked)
    out = []
    for v in views:
        extra = {
            "links_opened": events.get((v.id, "opened"), 0),
            "appointments_booked": booked.get(v.id, 0),
            "appointments_cancelled": events.get((v.id, "cancelled"), 0),
            "questionnaires_completed": answered.get(v.id, 0),
        }
        counts = CampaignCounts(**{**v.counts.model_dump(), **extra})
        out.append(v.model_copy(update={"counts": counts}))
    return out


async def get_campaign(req: GetCampaign, deps: Deps) -> CampaignView:
    return (await _patient_counts(deps, [await campaigns.get_campaign(req, deps)]))[0]


async def list_campaigns(req: ListCampaigns, deps: Deps) -> CampaignPage:
    page = await campaigns.list_campaigns(req, deps)
    return page.model_copy(update={"items": await _patient_counts(deps, page.items)})
