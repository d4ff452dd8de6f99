"""``/v1/campaigns``: create, read, compose, review, test, send, cancel, resume, send again to
the patients a campaign did not reach, audit."""

from typing import Annotated, Self
from uuid import UUID

from fastapi import Query, Response
from pydantic import AwareDatetime, ConfigDict, Field, StringConstraints, model_validator

from cohort_contracts.campaign_requests import (
    ApproveCampaign,
    CancelCampaign,
    CreateCampaign,
    ExcludeRecentlyMessaged,
    GetAudit,
    GetCampaign,
    GetReview,
    GetSendAgain,
    ListCampaigns,
    ResumeCampaign,
    SendAgain,
    SendBack,
    SendCampaign,
    SetMessage,
    TestSend,
)
from cohort_contracts.campaign_settings import BookingSettings, QuestionnaireSettings
from cohort_contracts.campaign_views import (
    AuditLog,
    CampaignPage,
    CampaignView,
    ReviewView,
    SendAgainView,
    TestSendResult,
)
from cohort_contracts.envelope import Model
from cohort_contracts.vocabulary import CampaignStatus, CampaignType, Channel

from .about_campaign import ask_about_campaign
from .errors import error_responses
from .models import Body, MessageText, Name, PageNumber, PageSize, Subject, TemplateId
from .staff_campaign import ActingCampaignDep, CampaignDep, staff_router

router = staff_router(prefix="/v1/campaigns", tag="campaigns")


class Booking(BookingSettings):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Questionnaire(QuestionnaireSettings):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewCampaign(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Flu", "type": "basic"}]})

    name: Name
    type: CampaignType = Field(
        description="basic: information only; booking: a per-patient booking link; "
        "questionnaire: a per-patient questionnaire link"
    )
    allow_replies: bool = Field(default=False, description="basic only: patients may reply")
    booking: Booking | None = Field(default=None, description="Required for booking campaigns")
    questionnaire: Questionnaire | None = Field(
        default=None, description="Required for questionnaire campaigns"
    )
    link_expiry_days: int = Field(
        default=7, ge=1, le=90, description="Days each patient's link works after sending"
    )


class NewMessage(Body):
    """Either free text (``body``, with ``subject`` for email) or a template (``template_id``:
    its current version is copied into the campaign)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"body": "Hello ((first_name))"}],
            # What ``_body_or_template`` checks, said in the document too.
            "oneOf": [
                {"required": ["body"], "properties": {"body": {"type": "string"}}},
                {"required": ["template_id"], "properties": {"template_id": {"type": "string"}}},
            ],
        }
    )

    body: MessageText | None = Field(
        default=None,
        description="Message text; placeholders such as ((first_name)) are filled per patient",
    )
    subject: Subject | None = Field(default=None, description="Email subject (email lists only)")
    template_id: TemplateId | None = None

    @model_validator(mode="after")
    def _body_or_template(self) -> Self:
        if (self.body is None) == (self.template_id is None):
            raise ValueError("give either body or template_id")
        return self


class SendConfirmation(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"confirm_recipient_count": 0}]})

    confirm_recipient_count: int = Field(
        ge=0, description="The recipient count shown on the review; must match to send"
    )
    send_at: AwareDatetime | None = Field(
        default=None,
        description="Send later, up to 7 days ahead (with a UTC offset); the campaign is "
        "`scheduled` and can be cancelled until then. Omitted: send now.",
    )
    spread_hours: int | None = Field(
        default=None,
        ge=1,
        le=72,
        description="Booking campaigns: release the invitations evenly over this many hours, "
        "so the practice's phone lines are not flooded",
    )


class ApprovalConfirmation(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"confirm_recipient_count": 0}]})

    confirm_recipient_count: int = Field(
        ge=0, description="The recipient count shown on the review the approver looked at"
    )


class SendBackReason(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "The clinic is on Tuesday, not Monday."}]}
    )

    reason: str = Field(
        min_length=1,
        max_length=500,
        description="Why it goes back, for the person who sent it (shown on the campaign)",
    )


class SendAgainName(Body):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Flu clinic: send again"}]})

    name: Name = Field(description="The new campaign's name")


class TestRecipient(Body):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"channel": "sms", "to": "07700900123"}]}
    )

    channel: Channel
    to: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=3, max_length=320, pattern=r"\S.+\S"),
    ] = Field(description="Your own mobile (07… or 447…) or email address")


@router.post(
    "",
    status_code=201,
    response_model=CampaignView,
    summary="Create a campaign",
    description="Network users name the practice it is for in `X-Act-For-Org`.",
)
async def create_campaign(
    body: NewCampaign, campaign: ActingCampaignDep, response: Response
) -> Model:
    request = CreateCampaign(
        **campaign.envelope(),
        name=body.name,
        type=body.type,
        allow_replies=body.allow_replies,
        booking=None if body.booking is None else BookingSettings(**body.booking.model_dump()),
        questionnaire=None
        if body.questionnaire is None
        else QuestionnaireSettings(**body.questionnaire.model_dump()),
        link_expiry_days=body.link_expiry_days,
    )
    return await campaign.create(request, CampaignView, response, router)


@router.get(
    "",
    response_model=CampaignPage,
    summary="List the campaigns of the organisation (a network: of all its practices)",
)
async def list_campaigns(
    campaign: CampaignDep,
    status: CampaignStatus | None = None,
    page: PageNumber = 1,
    page_size: PageSize = 50,
) -> Model:
    request = ListCampaigns(**campaign.envelope(), status=status, page=page, page_size=page_size)
    return await campaign.ask(request)


ask_about_campaign(
    router,
    "GET",
    "/{campaign_id}",
    GetCampaign,
    name="get_campaign",
    response_model=CampaignView,
    summary="One campaign with live counts",
)


@router.put(
    "/{campaign_id}/message",
    response_model=CampaignView,
    summary="Set the campaign's message: free text or a template",
    responses=error_responses(409),
)
async def set_message(campaign_id: UUID, body: NewMessage, campaign: CampaignDep) -> Model:
    request = SetMessage(
        **campaign.envelope(),
        campaign_id=campaign_id,
        body=body.body,
        subject=body.subject,
        template_id=body.template_id,
    )
    return await campaign.ask(request)


@router.get(
    "/{campaign_id}/review",
    response_model=ReviewView,
    summary="Rendered previews, recipient counts, SMS fragments and credits before sending",
    responses=error_responses(409),
)
async def review(
    campaign_id: UUID,
    campaign: CampaignDep,
    previews: Annotated[int, Query(ge=0, le=20, description="How many previews")] = 3,
) -> Model:
    request = GetReview(**campaign.envelope(), campaign_id=campaign_id, preview_count=previews)
    return await campaign.ask(request)


ask_about_campaign(
    router,
    "POST",
    "/{campaign_id}/review/exclude-recently-messaged",
    ExcludeRecentlyMessaged,
    name="exclude_recently_messaged",
    response_model=ReviewView,
    summary="Leave out the patients the review warns were sent the same message lately",
    description="The review's `repeat_warning` counts the patients this organisation sent the "
    "same message (same template, or the same text) within its window; this leaves them out of "
    "the draft (status `cancelled`, reason `RECENTLY_MESSAGED`) and answers the fresh review. "
    "409 once the campaign is no longer a draft.",
    errors=(409,),
)


@router.post(
    "/{campaign_id}/test-send",
    status_code=202,
    response_model=TestSendResult,
    summary="Send the message, rendered for the first recipient, to your own phone or email",
    responses=error_responses(409),
)
async def test_send(campaign_id: UUID, body: TestRecipient, campaign: CampaignDep) -> Model:
    request = TestSend(
        **campaign.envelope(), campaign_id=campaign_id, channel=body.channel, to=body.to
    )
    return await campaign.ask(request)


@router.post(
    "/{campaign_id}/send",
    status_code=202,
    response_model=CampaignView,
    summary="Send the campaign, confirming the recipient count",
    description="409 when the campaign cannot be sent as it is, e.g. not enough SMS credit; "
    "the message says why. The campaign answered is `sending`, `scheduled` (with `send_at`) or, "
    "where the organisation requires a second person's approval for a send this size, "
    "`awaiting_approval`. SMS are never released in the organisation's quiet hours: while "
    "they hold a send, `held_until` says until when.",
    responses=error_responses(409),
)
async def send(campaign_id: UUID, body: SendConfirmation, campaign: CampaignDep) -> Model:
    request = SendCampaign(
        **campaign.envelope(),
        campaign_id=campaign_id,
        confirm_recipient_count=body.confirm_recipient_count,
        send_at=body.send_at,
        spread_hours=body.spread_hours,
    )
    return await campaign.ask(request)


@router.post(
    "/{campaign_id}/approve",
    status_code=202,
    response_model=CampaignView,
    summary="Approve a send awaiting a second person's approval, confirming the recipient count",
    description="403 when the approver is the person who sent it; 409 when the campaign is not "
    "awaiting approval or the count differs from the review's.",
    responses=error_responses(409),
)
async def approve(campaign_id: UUID, body: ApprovalConfirmation, campaign: CampaignDep) -> Model:
    request = ApproveCampaign(
        **campaign.envelope(),
        campaign_id=campaign_id,
        confirm_recipient_count=body.confirm_recipient_count,
    )
    return await campaign.ask(request)


@router.post(
    "/{campaign_id}/send-back",
    response_model=CampaignView,
    summary="Send a send awaiting approval back to draft, saying why, instead of approving it",
    description="The approver, or the person who sent it, returns it to `draft`; nothing has "
    "been sent. `sent_back_by` and `sent_back_reason` say who and why until it is sent again, "
    "when it waits for approval again. 409 when the campaign is not awaiting approval.",
    responses=error_responses(409),
)
async def send_back(campaign_id: UUID, body: SendBackReason, campaign: CampaignDep) -> Model:
    request = SendBack(**campaign.envelope(), campaign_id=campaign_id, reason=body.reason)
    return await campaign.ask(request)


ask_about_campaign(
    router,
    "POST",
    "/{campaign_id}/cancel",
    CancelCampaign,
    name="cancel",
    status_code=202,
    response_model=CampaignView,
    summary="Cancel the campaign: nothing not yet sent will be sent",
    errors=(409,),
)
ask_about_campaign(
    router,
    "POST",
    "/{campaign_id}/resume",
    ResumeCampaign,
    name="resume",
    status_code=202,
    response_model=CampaignView,
    summary="Resume a campaign paused by a provider problem (e.g. after topping up credit)",
    errors=(409,),
)
ask_about_campaign(
    router,
    "GET",
    "/{campaign_id}/send-again",
    GetSendAgain,
    name="send_again_summary",
    response_model=SendAgainView,
    summary="How many patients sending the campaign again would take",
    description="A completed campaign's patients whose message failed for a reason another try "
    "may get past (the phone was off or out of signal, a network or provider problem, or the "
    "phone could not take text messages at the time: an `SMS_NOT_SUPPORTED` the network said "
    "was temporary, not a landline), not yet taken by an earlier send-again, counted by reason. "
    "`cannot_because` says, in staff's words, why it cannot be sent again now (e.g. it is not "
    "completed).",
)


@router.post(
    "/{campaign_id}/send-again",
    status_code=201,
    response_model=CampaignView,
    summary="Make a new draft campaign for the patients the campaign did not reach",
    description="The new campaign has this one's type, settings and message, and one patient "
    "list per channel of the patients `GET .../send-again` counts, checked against PDS again "
    "as an upload is; review and send it as any other. Its `follows_up` names this campaign. "
    "409 when the campaign is not completed or there is nobody left to send again to; the "
    "message says why.",
    responses=error_responses(409),
)
async def send_again(
    campaign_id: UUID, body: SendAgainName, campaign: CampaignDep, response: Response
) -> Model:
    # The new campaign belongs to the source campaign's practice, which campaign knows: a
    # network user need not name it, as for any change to a campaign it can see.
    request = SendAgain(**campaign.envelope(), campaign_id=campaign_id, name=body.name)
    return await campaign.create(request, CampaignView, response, router)


ask_about_campaign(
    router,
    "GET",
    "/{campaign_id}/audit",
    GetAudit,
    name="audit",
    response_model=AuditLog,
    summary="Who did what to the campaign, and when",
)
