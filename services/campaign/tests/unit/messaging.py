"""Builders for the composing, reviewing, templates and links tests."""

import uuid
from datetime import date
from typing import Any

from campaign.handlers import campaigns, lists, review
from campaign.handlers.deps import Deps
from cohort_contracts.campaign_requests import (
    CreateCampaign,
    GetReview,
    SendCampaign,
    SetMessage,
)
from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.campaign_views import CampaignView, ReviewView
from cohort_contracts.ingest import ResolvedPatient, RowOutcome
from cohort_contracts.vocabulary import CampaignType, Channel

from ..builders import ORG, nhs_number, rows_resolved
from .helpers import register, req

BOOKING = BookingSettings(appointment_type_code="FLU", appointment_type_display="flu vaccination")
QUESTIONNAIRE = QuestionnaireSettings(questionnaire_id="asthma-1", title="your asthma review")
SETTINGS: dict[CampaignType, dict[str, Any]] = {
    "basic": {},
    "booking": {"booking": BOOKING},
    "questionnaire": {"questionnaire": QUESTIONNAIRE},
}


async def create(
    deps: Deps, type: CampaignType = "basic", org: str = ORG, **fields: Any
) -> CampaignView:
    fields = {**SETTINGS[type], **fields}
    return await campaigns.create_campaign(
        req(CreateCampaign, org_id=org, name="Autumn clinic", type=type, **fields), deps
    )


async def add_patients(
    deps: Deps,
    campaign_id: uuid.UUID,
    names: list[tuple[str, str]],
    channel: Channel = "sms",
    org: str = ORG,
    birth_date: date | None = None,
) -> uuid.UUID:
    """Resolved patients, one per (given, family) name, rows 1.. in order; PDS gives each the
    ``birth_date`` (None: PDS gave none), which a patient confirms to open their link."""
    columns = ("NHS Number", "Date of Birth")
    list_id = await register(deps, campaign_id, len(names), org, channel, columns)
    seed = uuid.uuid4().int % 50_000
    born = birth_date.strftime("%d/%m/%Y") if birth_date else "01/01/1980"
    outcomes = [
        RowOutcome(
            row_number=row,
            cells=["", born],
            patient=ResolvedPatient(
                nhs_number=nhs_number(seed + row),
                given_name=given,
                family_name=family,
                contact=f"44770090{row:04d}" if channel == "sms" else f"p{row}@example.com",
                birth_date=birth_date,
            ),
        )
        for row, (given, family) in enumerate(names, start=1)
    ]
    event = rows_resolved(campaign_id, list_id, outcomes, org_id=org, channel=channel)
    await lists.record_resolved_rows(event, deps)
    return list_id


async def compose(
    deps: Deps, campaign_id: uuid.UUID, body: str | None = None, **fields: Any
) -> CampaignView:
    return await campaigns.set_message(
        req(SetMessage, campaign_id=campaign_id, body=body, **fields), deps
    )


async def review_of(deps: Deps, campaign_id: uuid.UUID, **fields: Any) -> ReviewView:
    return await review.get_review(req(GetReview, campaign_id=campaign_id, **fields), deps)


async def send(deps: Deps, campaign_id: uuid.UUID, count: int, **fields: Any) -> CampaignView:
    return await campaigns.send_campaign(
        req(SendCampaign, campaign_id=campaign_id, confirm_recipient_count=count, **fields), deps
    )
