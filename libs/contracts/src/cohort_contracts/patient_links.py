"""The patient's side of a link: requests the gateway makes to campaign for the patient service
(open the link, confirm the date of birth, book or cancel, answer the questionnaire), the reads
staff make of what patients did, and the views campaign answers with.

Every patient request names the link's ``token`` (the capability); all but opening it and
confirming the date of birth also carry the ``session`` that confirming the date of birth
returned, so nothing personal is read or changed before the patient has proved who they are."""

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from .envelope import MAX_PAGE, Message, Model, Request, UtcDateTime
from .vocabulary import CampaignType

Token = Annotated[str, Field(min_length=10, max_length=500)]
Session = Annotated[str, Field(min_length=10, max_length=200)]
IdempotencyKey = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]


# -- requests: the patient (through the gateway's patient-link API) ----------------------------
class OpenPatientLink(Request):
    """What the link is for and who sent it; records that the patient opened it."""

    kind: Literal["OpenPatientLink"] = "OpenPatientLink"
    token: Token


class VerifyBirthDate(Request):
    """The patient's answer to "What is your date of birth?". Wrong answers are counted; the
    link locks after the last allowed one, and answers too close together are refused."""

    kind: Literal["VerifyBirthDate"] = "VerifyBirthDate"
    token: Token
    birth_date: date


class _PatientRequest(Request):
    token: Token
    session: Session


class GetPatientBooking(_PatientRequest):
    kind: Literal["GetPatientBooking"] = "GetPatientBooking"


class ListFreeSlots(_PatientRequest):
    """Free slots of the campaign's appointment type in the coming weeks."""

    kind: Literal["ListFreeSlots"] = "ListFreeSlots"


class BookAppointment(_PatientRequest):
    """Book ``slot_id`` (replacing the patient's current appointment, if any). The same
    ``idempotency_key`` again returns the first request's outcome and books nothing more."""

    kind: Literal["BookAppointment"] = "BookAppointment"
    slot_id: Annotated[str, Field(min_length=1, max_length=64)]
    idempotency_key: IdempotencyKey


class CancelAppointment(_PatientRequest):
    kind: Literal["CancelAppointment"] = "CancelAppointment"
    idempotency_key: IdempotencyKey


class GetPatientQuestionnaire(_PatientRequest):
    kind: Literal["GetPatientQuestionnaire"] = "GetPatientQuestionnaire"


class Answer(Model):
    """One question's answer: ``link_id`` names the question (FHIR ``Questionnaire.item``);
    ``values`` as the patient gave them (a choice's code, a number, a date ``YYYY-MM-DD``,
    ``true``/``false``, text)."""

    link_id: Annotated[str, Field(min_length=1, max_length=100)]
    values: list[Annotated[str, Field(max_length=1000)]] = Field(max_length=20)


class SubmitQuestionnaire(_PatientRequest):
    kind: Literal["SubmitQuestionnaire"] = "SubmitQuestionnaire"
    answers: list[Answer] = Field(max_length=100)
    idempotency_key: IdempotencyKey


# -- requests: staff (through the authenticated API) -------------------------------------------
class GetRecipientActivity(Request):
    """What one patient did with their link: opened, confirmed, booked, answered."""

    kind: Literal["GetRecipientActivity"] = "GetRecipientActivity"
    campaign_id: UUID
    recipient_id: Annotated[str, Field(min_length=1, max_length=64)]


#: Where a page of questionnaire responses or appointments ends: ``<milliseconds since 1970 UTC>:
#: <id>``, the time it is ordered by (completed; starts) and its id. MongoDB keeps times to the
#: millisecond, so the cursor names one exactly. Fourteen digits reach the year 5138; fifteen
#: would pass Python's last date (9999), so such a cursor failed in campaign instead of a 422.
TIME_CURSOR = r"^[0-9]{1,14}:[0-9A-Za-z_-]{1,64}$"


class ListQuestionnaireResponses(Request):
    """Every completed response of a questionnaire campaign, oldest first: by page number, or
    the page after a cursor (``after``, a page's ``next_after``), which costs the same however
    deep it is, as a download of every response needs."""

    kind: Literal["ListQuestionnaireResponses"] = "ListQuestionnaireResponses"
    campaign_id: UUID
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=500, ge=1, le=1000)
    after: str | None = Field(default=None, pattern=TIME_CURSOR)


class ListAppointments(Request):
    """Every booked (or cancelled) appointment of a booking campaign, soonest first: by page
    number, or the page after a cursor (``after``, a page's ``next_after``)."""

    kind: Literal["ListAppointments"] = "ListAppointments"
    campaign_id: UUID
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    page_size: int = Field(default=100, ge=1, le=500)
    after: str | None = Field(default=None, pattern=TIME_CURSOR)


class ListQuestionnaires(Request):
    """The built-in questionnaire library."""

    kind: Literal["ListQuestionnaires"] = "ListQuestionnaires"


# -- views ---------------------------------------------------------------------------------------
class Practice(Model):
    ods: str
    name: str
    phone: str | None = None


class PatientLinkView(Model):
    """Before the date of birth is confirmed: nothing about the patient."""

    campaign_id: UUID
    type: CampaignType
    practice: Practice
    #: What the link is for, in words: the appointment type or the questionnaire's title.
    purpose: str
    expires_at: UtcDateTime
    locked: bool = False
    attempts_left: int


class PatientSessionView(Model):
    session: str
    expires_at: UtcDateTime
    given_name: str


class SlotView(Model):
    id: str
    start: UtcDateTime
    end: UtcDateTime
    location: str | None = None
    practitioner: str | None = None
    delivery_channel: str | None = None


AppointmentStatus = Literal["booked", "cancelled"]


class AppointmentView(Model):
    id: str
    status: AppointmentStatus
    start: UtcDateTime
    end: UtcDateTime
    type: str
    location: str | None = None
    practitioner: str | None = None
    booked_at: UtcDateTime
    cancelled_at: UtcDateTime | None = None
    #: Why it ended: ``patient`` cancelled, or ``rebooked`` (replaced by another).
    cancelled_because: Literal["patient", "rebooked"] | None = None


class PatientBookingView(Model):
    practice: Practice
    type: str
    given_name: str
    appointment: AppointmentView | None = None
    #: Whether the patient can still book, cancel or change (before the appointment, and the
    #: link not expired).
    can_change: bool
    #: What to bring and how to cancel, from the practice.
    instructions: str


class FreeSlotsView(Model):
    slots: list[SlotView]
    type: str


class OptionView(Model):
    code: str
    display: str


QuestionType = Literal["choice", "boolean", "integer", "decimal", "date", "string", "text"]


class EnableWhen(Model):
    """Ask this question only when the question ``link_id`` was answered ``code``."""

    link_id: str
    code: str


class QuestionView(Model):
    link_id: str
    text: str
    type: QuestionType
    required: bool
    hint: str | None = None
    options: list[OptionView] = Field(default_factory=list)
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None
    max_length: int | None = None
    enable_when: list[EnableWhen] = Field(default_factory=list)


class QuestionnaireView(Model):
    id: str
    title: str
    description: str
    questions: list[QuestionView]
    #: The FHIR R4 Questionnaire resource, as JSON.
    fhir_json: str


class AnsweredQuestion(Model):
    link_id: str
    text: str
    answers: list[str]


class QuestionnaireResponseView(Model):
    status: Literal["completed"]
    authored: UtcDateTime
    items: list[AnsweredQuestion]
    #: The FHIR R4 QuestionnaireResponse resource, as JSON.
    fhir_json: str


class PatientQuestionnaireView(Model):
    practice: Practice
    given_name: str
    questionnaire: QuestionnaireView
    response: QuestionnaireResponseView | None = None


class ActivityEvent(Model):
    at: UtcDateTime
    #: ``opened``, ``wrong_birth_date``, ``locked``, ``verified``, ``booked``, ``cancelled``,
    #: ``rebooked``, ``answered``.
    action: str
    details: dict[str, str] = Field(default_factory=dict)


class RecipientActivity(Model):
    recipient_id: str
    opened_at: UtcDateTime | None = None
    verified_at: UtcDateTime | None = None
    wrong_birth_dates: int = 0
    locked_at: UtcDateTime | None = None
    appointment: AppointmentView | None = None
    questionnaire_response: QuestionnaireResponseView | None = None
    events: list[ActivityEvent] = Field(default_factory=list)


class RecipientResponse(Model):
    recipient_id: str
    nhs_number: str
    given_name: str
    family_name: str
    response: QuestionnaireResponseView


class QuestionnaireResponsesPage(Model):
    questionnaire: QuestionnaireView
    items: list[RecipientResponse]
    total: int
    page: int
    page_size: int
    #: The cursor of the page after this one (``after``); null when this page is the last.
    next_after: str | None = None


class RecipientAppointment(Model):
    recipient_id: str
    given_name: str
    family_name: str
    appointment: AppointmentView


class AppointmentsPage(Model):
    items: list[RecipientAppointment]
    total: int
    page: int
    page_size: int
    #: The cursor of the page after this one (``after``); null when this page is the last.
    next_after: str | None = None


class QuestionnaireList(Model):
    items: list[QuestionnaireView]


PATIENT_REPLY_TYPES: dict[type[Message], type[Model]] = {
    OpenPatientLink: PatientLinkView,
    VerifyBirthDate: PatientSessionView,
    GetPatientBooking: PatientBookingView,
    ListFreeSlots: FreeSlotsView,
    BookAppointment: PatientBookingView,
    CancelAppointment: PatientBookingView,
    GetPatientQuestionnaire: PatientQuestionnaireView,
    SubmitQuestionnaire: PatientQuestionnaireView,
    GetRecipientActivity: RecipientActivity,
    ListQuestionnaireResponses: QuestionnaireResponsesPage,
    ListAppointments: AppointmentsPage,
    ListQuestionnaires: QuestionnaireList,
}
