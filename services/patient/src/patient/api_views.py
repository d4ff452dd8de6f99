"""What the gateway's patient-link API (``/v1/patient-links/{token}``) answers, as the patient
pages read them: their own models, not ``cohort_contracts`` (the pages are a client of the HTTP
API only; import-linter holds them to that), declaring only the fields they read and ignoring the
rest."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from cohort_http.gateway_api import ApiModel


class Practice(ApiModel):
    name: str
    phone: str | None = None


class Link(ApiModel):
    type: Literal["basic", "booking", "questionnaire"]
    practice: Practice
    purpose: str
    expires_at: datetime
    locked: bool = False
    attempts_left: int


class Session(ApiModel):
    session: str
    expires_at: datetime
    given_name: str


class Visit(ApiModel):
    """When and where, with whom: what the pages show of a time offered and of an appointment
    booked (``booking/_appointment.html``)."""

    start: datetime
    location: str | None = None
    practitioner: str | None = None


class Slot(Visit):
    id: str


class Slots(ApiModel):
    slots: list[Slot]
    type: str


class Appointment(Visit):
    type: str


class Booking(ApiModel):
    practice: Practice
    type: str
    given_name: str
    appointment: Appointment | None = None
    can_change: bool
    instructions: str


class Option(ApiModel):
    code: str
    display: str


class EnableWhen(ApiModel):
    link_id: str
    code: str


class Question(ApiModel):
    link_id: str
    text: str
    type: Literal["choice", "boolean", "integer", "decimal", "date", "string", "text"]
    required: bool
    hint: str | None = None
    options: list[Option] = Field(default_factory=list)
    #: The limits an answer is checked against (``cohort_questionnaire.QuestionRules``).
    min_value: float | None = None
    max_value: float | None = None
    unit: str | None = None
    max_length: int | None = None
    enable_when: list[EnableWhen] = Field(default_factory=list)


class QuestionnaireDef(ApiModel):
    title: str
    questions: list[Question]


class Response(ApiModel):
    """The patient's sent answers: the pages ask only whether there are any (the answers given
    so far are in the session until then)."""


class Questionnaire(ApiModel):
    practice: Practice
    given_name: str
    questionnaire: QuestionnaireDef
    response: Response | None = None
