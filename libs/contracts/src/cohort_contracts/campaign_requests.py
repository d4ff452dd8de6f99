"""Requests to campaign, answered over RabbitMQ request/reply (gateway and dispatch are callers).

One queue carries every request; ``kind`` tells them apart. Each request is answered with an
``RpcReply`` whose ``result`` has the type named in ``REPLY_TYPES``."""

from typing import Annotated, Generic, Literal, TypeVar
from uuid import UUID

from pydantic import Field

from . import campaign_views as views
from . import opt_out
from . import patient_links as patient
from .campaign_settings import BookingSettings, QuestionnaireSettings
from .envelope import MAX_PAGE, Message, Model, Request, UtcDateTime
from .vocabulary import CampaignStatus, CampaignType, Channel, RecipientStatus

MAX_PAGE_SIZE = 500


class CreateCampaign(Request):
    """``booking`` is required for (and only for) the booking type, ``questionnaire`` likewise;
    ``allow_replies`` only for basic campaigns."""

    kind: Literal["CreateCampaign"] = "CreateCampaign"
    name: Annotated[str, Field(min_length=1, max_length=200)]
    type: CampaignType
    allow_replies: bool = False
    booking: BookingSettings | None = None
    questionnaire: QuestionnaireSettings | None = None
    link_expiry_days: int = Field(default=7, ge=1, le=90)


class ListCampaigns(Request):
    kind: Literal["ListCampaigns"] = "ListCampaigns"
    status: CampaignStatus | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=50, ge=1, le=MAX_PAGE_SIZE)


class GetCampaign(Request):
    kind: Literal["GetCampaign"] = "GetCampaign"
    campaign_id: UUID


class RegisterPatientList(Request):
    """Sent by the gateway once a file has been read through and found sound, before its rows."""

    kind: Literal["RegisterPatientList"] = "RegisterPatientList"
    campaign_id: UUID
    list_id: UUID
    channel: Channel
    filename: str
    columns: list[str]
    total_rows: int = Field(ge=0)


class GetPatientList(Request):
    kind: Literal["GetPatientList"] = "GetPatientList"
    campaign_id: UUID
    list_id: UUID


class RemovePatientList(Request):
    """Takes a draft campaign's most recent list out, with every patient it added: the wrong
    file, or an upload whose rows could not all be queued (it would otherwise wait for them,
    and hold the send, for good). Only the most recent list, so that no other list's patient
    was counted a duplicate of one of its. Rows of it still being checked are dropped when
    they come back."""

    kind: Literal["RemovePatientList"] = "RemovePatientList"
    campaign_id: UUID
    list_id: UUID


class GetUnsuccessfulRows(Request):
    kind: Literal["GetUnsuccessfulRows"] = "GetUnsuccessfulRows"
    campaign_id: UUID
    list_id: UUID
    after_row: int = 0
    limit: int = Field(default=MAX_PAGE_SIZE, ge=1, le=5000)


class SetMessage(Request):
    """Free text (``body``) or a template (``template_id``, its current version is used)."""

    kind: Literal["SetMessage"] = "SetMessage"
    campaign_id: UUID
    body: Annotated[str, Field(min_length=1, max_length=10_000)] | None = None
    subject: Annotated[str, Field(max_length=200)] | None = None
    template_id: str | None = None


class GetReview(Request):
    kind: Literal["GetReview"] = "GetReview"
    campaign_id: UUID
    preview_count: int = Field(default=3, ge=0, le=20)


class SendCampaign(Request):
    kind: Literal["SendCampaign"] = "SendCampaign"
    campaign_id: UUID
    confirm_recipient_count: int = Field(ge=0)
    #: Send later (up to 7 days ahead); None: now. Cancellable until then.
    send_at: UtcDateTime | None = None
    #: Booking campaigns: release the invitations evenly over this many hours.
    spread_hours: int | None = Field(default=None, ge=1, le=72)


class ApproveCampaign(Request):
    """A second user approves a send the organisation requires approval for, having seen the
    review: the count they confirm must be the count the review shows."""

    kind: Literal["ApproveCampaign"] = "ApproveCampaign"
    campaign_id: UUID
    confirm_recipient_count: int = Field(ge=0)


class SendBack(Request):
    """A send awaiting approval goes back to draft, with the reason the sender will read: the
    approver's "no, change this first", or the sender taking it back. Nothing was sent."""

    kind: Literal["SendBack"] = "SendBack"
    campaign_id: UUID
    reason: str = Field(min_length=1, max_length=500)


class ExcludeRecentlyMessaged(Request):
    """Leave out of a draft campaign the patients its review warns were sent the same message
    lately; they are cancelled with reason ``RECENTLY_MESSAGED``. Answers the fresh review."""

    kind: Literal["ExcludeRecentlyMessaged"] = "ExcludeRecentlyMessaged"
    campaign_id: UUID


class CancelCampaign(Request):
    kind: Literal["CancelCampaign"] = "CancelCampaign"
    campaign_id: UUID


class ResumeCampaign(Request):
    """Resume a campaign paused by a provider problem (e.g. after topping up credit)."""

    kind: Literal["ResumeCampaign"] = "ResumeCampaign"
    campaign_id: UUID


class TestSend(Request):
    """Send the message, rendered for the first recipient, to the requesting user's own
    number (sms, ``447…`` or ``07…``) or address (email)."""

    __test__ = False  # not a pytest test class, whatever its name says

    kind: Literal["TestSend"] = "TestSend"
    campaign_id: UUID
    channel: Channel
    to: Annotated[str, Field(min_length=3, max_length=320)]


class GetAudit(Request):
    kind: Literal["GetAudit"] = "GetAudit"
    campaign_id: UUID


class ListTemplates(Request):
    kind: Literal["ListTemplates"] = "ListTemplates"
    type: CampaignType | None = None
    include_archived: bool = False


class CreateTemplate(Request):
    kind: Literal["CreateTemplate"] = "CreateTemplate"
    name: Annotated[str, Field(min_length=1, max_length=200)]
    type: CampaignType
    body: Annotated[str, Field(min_length=1, max_length=10_000)]
    subject: Annotated[str, Field(max_length=200)] | None = None


class UpdateTemplate(Request):
    """Creates a new version; campaigns that used an earlier one keep its exact text."""

    kind: Literal["UpdateTemplate"] = "UpdateTemplate"
    template_id: str
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    body: Annotated[str, Field(min_length=1, max_length=10_000)] | None = None
    subject: Annotated[str, Field(max_length=200)] | None = None


class ArchiveTemplate(Request):
    kind: Literal["ArchiveTemplate"] = "ArchiveTemplate"
    template_id: str


class ResolveLink(Request):
    """From the gateway's public link endpoint: what a patient's booking/questionnaire link
    is for. Records that the recipient opened it. ``org_id`` is the link's own organisation."""

    kind: Literal["ResolveLink"] = "ResolveLink"
    token: Annotated[str, Field(min_length=10, max_length=500)]


#: Where a page of recipients ends, in list order: ``<list id>:<row number>``.
RECIPIENT_CURSOR = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9]{1,9}$"


class ListRecipients(Request):
    """A page of a campaign's recipients in list order: by number (``page``), or the page
    after a cursor (``after``, a page's ``next_after``), which costs the same however deep it
    is, as a download of every recipient needs."""

    kind: Literal["ListRecipients"] = "ListRecipients"
    campaign_id: UUID
    status: RecipientStatus | None = None
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=100, ge=1, le=MAX_PAGE_SIZE)
    after: str | None = Field(default=None, pattern=RECIPIENT_CURSOR)


class ListPatientLists(Request):
    """Every patient list of a campaign, oldest first, each with its progress."""

    kind: Literal["ListPatientLists"] = "ListPatientLists"
    campaign_id: UUID


class GetRecipient(Request):
    """One recipient of a campaign: status, reason and reply (a patient's detail page)."""

    kind: Literal["GetRecipient"] = "GetRecipient"
    campaign_id: UUID
    recipient_id: Annotated[str, Field(min_length=1, max_length=64)]


class GetSendAgain(Request):
    """Who ``SendAgain`` would take from the campaign now, and why it cannot if it cannot."""

    kind: Literal["GetSendAgain"] = "GetSendAgain"
    campaign_id: UUID


class SendAgain(Request):
    """A new draft campaign (named ``name``; the request's id names it) with this one's type,
    settings and message, for the patients ``GetSendAgain`` counts: one patient list per
    channel, checked against PDS again as an upload is (their contact details may have
    changed). Each patient is taken by one send-again only. Staff review and send it as any
    other campaign."""

    kind: Literal["SendAgain"] = "SendAgain"
    campaign_id: UUID
    name: Annotated[str, Field(min_length=1, max_length=200)]


class ClaimMessages(Request):
    """From dispatch, just before a provider call: move these recipients from ``queued`` to
    ``sending``. Only the ones returned may be sent; a redelivered batch claims nothing twice.

    ``provider_references`` names, before the call, the reference a recipient will be sent
    under when it is not its own id (a group of identical texts shares one): campaign stores it
    with the claim, so the provider's receipts find their recipients even if dispatch dies
    between the provider's acceptance and its report of the send."""

    kind: Literal["ClaimMessages"] = "ClaimMessages"
    campaign_id: UUID
    recipient_ids: list[str] = Field(max_length=MAX_PAGE_SIZE)
    #: The batch's channel: SMS claims are refused in the organisation's quiet hours.
    channel: Channel | None = None
    provider_references: dict[str, Annotated[str, Field(min_length=1, max_length=64)]] = Field(
        default_factory=dict, max_length=MAX_PAGE_SIZE
    )


CampaignRequest = Annotated[
    CreateCampaign
    | ListCampaigns
    | GetCampaign
    | RegisterPatientList
    | GetPatientList
    | RemovePatientList
    | GetUnsuccessfulRows
    | SetMessage
    | GetReview
    | SendCampaign
    | ApproveCampaign
    | SendBack
    | ExcludeRecentlyMessaged
    | CancelCampaign
    | ListRecipients
    | ClaimMessages
    | ResumeCampaign
    | TestSend
    | GetAudit
    | ListTemplates
    | CreateTemplate
    | UpdateTemplate
    | ArchiveTemplate
    | ResolveLink
    | ListPatientLists
    | GetRecipient
    | GetSendAgain
    | SendAgain
    | patient.OpenPatientLink
    | patient.VerifyBirthDate
    | patient.GetPatientBooking
    | patient.ListFreeSlots
    | patient.BookAppointment
    | patient.CancelAppointment
    | patient.GetPatientQuestionnaire
    | patient.SubmitQuestionnaire
    | patient.GetRecipientActivity
    | patient.ListQuestionnaireResponses
    | patient.ListAppointments
    | patient.ListQuestionnaires
    | opt_out.ListSuppressions
    | opt_out.AddSuppression
    | opt_out.RemoveSuppression
    | opt_out.Unsubscribe,
    Field(discriminator="kind"),
]

ErrorCode = Literal[
    "not_found",
    "conflict",
    "invalid",
    "unavailable",
    "gone",
    # A patient's link: a wrong date of birth, too many tries, locked after the last one.
    "forbidden",
    "too_many_requests",
    "locked",
]


class RpcError(Model):
    code: ErrorCode
    message: str
    details: dict[str, str | int | list[str]] = Field(default_factory=dict)


T = TypeVar("T")


class RpcReply(Model, Generic[T]):
    """Exactly one of ``result`` and ``error`` is set."""

    result: T | None = None
    error: RpcError | None = None


def read_reply(body: bytes, result_type: type[T]) -> "RpcReply[T]":
    """A reply's body as the reply to a request whose result is ``result_type``."""
    return RpcReply[result_type].model_validate_json(body)  # type: ignore[valid-type]


#: The result type of each request, shared by campaign (which answers) and its callers.
REPLY_TYPES: dict[type[Message], type[Model]] = {
    CreateCampaign: views.CampaignView,
    ListCampaigns: views.CampaignPage,
    GetCampaign: views.CampaignView,
    RegisterPatientList: views.PatientListView,
    GetPatientList: views.PatientListView,
    RemovePatientList: views.CampaignView,
    GetUnsuccessfulRows: views.UnsuccessfulRowsPage,
    SetMessage: views.CampaignView,
    GetReview: views.ReviewView,
    SendCampaign: views.CampaignView,
    ApproveCampaign: views.CampaignView,
    SendBack: views.CampaignView,
    ExcludeRecentlyMessaged: views.ReviewView,
    CancelCampaign: views.CampaignView,
    ListRecipients: views.RecipientPage,
    ClaimMessages: views.ClaimResult,
    ResumeCampaign: views.CampaignView,
    TestSend: views.TestSendResult,
    GetAudit: views.AuditLog,
    ListTemplates: views.TemplateList,
    CreateTemplate: views.TemplateView,
    UpdateTemplate: views.TemplateView,
    ArchiveTemplate: views.TemplateView,
    ResolveLink: views.LinkView,
    ListPatientLists: views.PatientListsView,
    GetRecipient: views.RecipientView,
    GetSendAgain: views.SendAgainView,
    SendAgain: views.CampaignView,
    **patient.PATIENT_REPLY_TYPES,
    **opt_out.OPT_OUT_REPLY_TYPES,
}
