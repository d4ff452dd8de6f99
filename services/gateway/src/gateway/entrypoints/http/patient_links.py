"""``/v1/patient-links/{token}``: the patient's side of a link, for the patient service only.

Two credentials on every request: the patient service's own bearer token (an HS256 JWT under
``GATEWAY_PATIENT_SERVICE_SECRET``, audience ``cohort-patient-links``: a staff token is never
accepted here, nor this one anywhere else), and the link's token in the path, which is the
patient's capability. Everything personal also needs ``X-Patient-Session``, which confirming
the date of birth returns. Requests are rate-limited per patient address, which the service
passes in ``X-Patient-Address`` (trusted only because the service is authenticated).
Tokens, sessions and answers are never logged."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Protocol, Unpack

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from cohort_contracts.envelope import Message, Model
from cohort_contracts.patient_links import (
    Answer,
    BookAppointment,
    CancelAppointment,
    FreeSlotsView,
    GetPatientBooking,
    GetPatientQuestionnaire,
    IdempotencyKey,
    ListFreeSlots,
    OpenPatientLink,
    PatientBookingView,
    PatientLinkView,
    PatientQuestionnaireView,
    PatientSessionView,
    SubmitQuestionnaire,
    VerifyBirthDate,
)

from ...adapters.token_verifiers import is_patient_service_token
from ...bootstrap import Wiring
from ...domain.caller import Envelope
from .errors import ApiError, error_responses
from .patient_access import ask_uncached, client_address, following_link, throttle
from .wiring import WiringDep

service_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="PatientService",
    bearerFormat="JWT",
    description="The patient service's own HS256 JWT (audience cohort-patient-links).",
)


async def patient_service(
    request: Request,
    wiring: WiringDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(service_bearer)],
) -> Wiring:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _not_the_service("Bearer")
    settings = wiring.settings
    secret = settings.patient_service_secret.get_secret_value()
    if not is_patient_service_token(credentials.credentials, secret, settings.jwt_leeway_s):
        raise _not_the_service('Bearer error="invalid_token"')
    address = request.headers.get("X-Patient-Address") or client_address(request)
    throttle(wiring.patient_limiter, address[:64])
    return wiring


def _not_the_service(challenge: str) -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Only the patient service may use this API.",
        headers={"WWW-Authenticate": challenge},
    )


ServiceDep = Annotated[Wiring, Depends(patient_service)]
SessionHeader = Annotated[
    str,
    Header(
        alias="X-Patient-Session",
        min_length=10,
        max_length=200,
        description="What confirming the date of birth returned.",
    ),
]
KeyHeader = Annotated[
    IdempotencyKey,
    Header(alias="Idempotency-Key", description="The same key again repeats nothing."),
]

router = APIRouter(
    prefix="/v1/patient-links/{token}",
    tags=["patient links (patient service)"],
    responses=error_responses(401, 404, 410, 429, 503),
)


class InSession(Envelope):
    """What every request carries once the patient has confirmed their date of birth."""

    token: str
    session: str


@dataclass(frozen=True)
class PatientLink:
    """The link a request is about (its token is the patient's capability) and the campaign
    service to ask about it, for the authenticated patient service."""

    token: str
    wiring: Wiring
    response: Response

    def envelope(self) -> Envelope:
        return following_link(self.token)

    def in_session(self, session: str) -> InSession:
        return InSession(**self.envelope(), token=self.token, session=session)

    async def ask(self, request: Message) -> Model:
        return await ask_uncached(self.wiring.campaign, request, self.response)


async def patient_link(token: str, wiring: ServiceDep, response: Response) -> PatientLink:
    return PatientLink(token, wiring, response)


LinkDep = Annotated[PatientLink, Depends(patient_link)]


class InSessionRequest(Protocol):
    """A request type that needs nothing but the session (``GetPatientBooking``, …)."""

    def __call__(self, **in_session: Unpack[InSession]) -> Message: ...


def _ask_in_session(
    path: str, request: InSessionRequest, *, name: str, response_model: type[Model], summary: str
) -> None:
    """Adds a route that reads what the patient's session may see, answering campaign's reply.
    ``name`` keeps the OpenAPI operation id a function of that name would have had."""

    # No docstring: FastAPI would document it as every such route's description.
    async def endpoint(session: SessionHeader, link: LinkDep) -> Model:
        return await link.ask(request(**link.in_session(session)))

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        name=name,
        response_model=response_model,
        summary=summary,
        responses=error_responses(403, 409, 423),
    )


@router.get(
    "",
    response_model=PatientLinkView,
    summary="What the link is for and who sent it (nothing about the patient)",
    description="Records that the patient opened it. 404 not one of ours, 410 expired.",
)
async def open_link(link: LinkDep) -> Model:
    return await link.ask(OpenPatientLink(**link.envelope(), token=link.token))


class BirthDate(BaseModel):
    birth_date: date


@router.post(
    "/verification",
    response_model=PatientSessionView,
    summary="Confirm the patient's date of birth; returns the session for the other requests",
    description="403 `forbidden` a wrong date (`details.attempts_left`); 423 `locked` after "
    "too many (`details.practice_phone`); 429 another answer too soon (`Retry-After`).",
    responses=error_responses(403, 422, 423),
)
async def verify(body: BirthDate, link: LinkDep) -> Model:
    request = VerifyBirthDate(**link.envelope(), token=link.token, birth_date=body.birth_date)
    return await link.ask(request)


_ask_in_session(
    "/booking",
    GetPatientBooking,
    name="booking",
    response_model=PatientBookingView,
    summary="The patient's appointment, if any, and whether they can still change it",
)
_ask_in_session(
    "/slots",
    ListFreeSlots,
    name="slots",
    response_model=FreeSlotsView,
    summary="Free slots of the campaign's appointment type in the coming weeks",
)


class SlotChoice(BaseModel):
    slot_id: str = Field(min_length=1, max_length=64)


@router.post(
    "/booking",
    response_model=PatientBookingView,
    summary="Book a slot (replacing the patient's appointment, if any)",
    description="409 `conflict` with `details.reason` `slot_taken` when someone else booked "
    "it meanwhile. The same `Idempotency-Key` again books nothing more.",
    responses=error_responses(403, 409, 422, 423),
)
async def book(
    body: SlotChoice,
    session: SessionHeader,
    key: KeyHeader,
    link: LinkDep,
) -> Model:
    request = BookAppointment(**link.in_session(session), slot_id=body.slot_id, idempotency_key=key)
    return await link.ask(request)


@router.post(
    "/booking/cancellation",
    response_model=PatientBookingView,
    summary="Cancel the patient's appointment",
    responses=error_responses(403, 409, 422, 423),
)
async def cancel(session: SessionHeader, key: KeyHeader, link: LinkDep) -> Model:
    request = CancelAppointment(**link.in_session(session), idempotency_key=key)
    return await link.ask(request)


_ask_in_session(
    "/questionnaire",
    GetPatientQuestionnaire,
    name="questionnaire",
    response_model=PatientQuestionnaireView,
    summary="The questionnaire (questions as the FHIR Questionnaire has them) and any answers",
)


class Answers(BaseModel):
    answers: list[Answer] = Field(max_length=100)


@router.post(
    "/questionnaire/response",
    response_model=PatientQuestionnaireView,
    summary="Submit the answers; stored once as a FHIR QuestionnaireResponse",
    description="422 names the question (`details.field`) answered wrongly or left out.",
    responses=error_responses(403, 409, 422, 423),
)
async def answer(
    body: Answers,
    session: SessionHeader,
    key: KeyHeader,
    link: LinkDep,
) -> Model:
    request = SubmitQuestionnaire(
        **link.in_session(session), answers=body.answers, idempotency_key=key
    )
    return await link.ask(request)
