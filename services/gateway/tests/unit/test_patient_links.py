"""``/v1/patient-links/{token}`` (the patient service's API) and the staff reads of what patients
did: the service's own token and no other, the link token's organisation, the session and
idempotency headers passed on, campaign's refusals as 403/423/429 with what the page needs,
a rate limit per patient address, and the responses exported as CSV and a FHIR Bundle."""

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest

from cohort_contracts import patient_links as p
from cohort_contracts.campaign_requests import REPLY_TYPES
from cohort_contracts.envelope import Message, Model
from gateway.domain.identity import PATIENT_SERVICE_AUDIENCE
from gateway.ports import CampaignError

from ..conftest import ORG, GatewayFactory, Harness

TOKEN = f"{ORG}.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl"
SECRET = "unit-test-patient-service-secret-long-enough"
BASE = f"/v1/patient-links/{TOKEN}"
SESSION = "c2Vzc2lvbi1zZXNzaW9u.c2lnbmF0dXJl"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
PRACTICE = p.Practice(ods=ORG, name="Example Surgery", phone="01632 960000")


def service_headers(
    secret: str = SECRET, audience: str = PATIENT_SERVICE_AUDIENCE
) -> dict[str, str]:
    claims = {"sub": "patient-service", "aud": audience, "exp": int(time.time()) + 60}
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


class Campaign:
    """Answers each request kind with what the test set (a view, or a campaign error)."""

    def __init__(self) -> None:
        self.requests: list[Message] = []
        self.answers: dict[type[Message], Model | CampaignError] = {}
        #: Answers given once each, in order, before ``answers`` (pages read one after another).
        self.queued: dict[type[Message], list[Model]] = {}

    async def request(self, request: Message) -> Model:
        self.requests.append(request)
        queued = self.queued.get(type(request))
        answer = queued.pop(0) if queued else self.answers[type(request)]
        if isinstance(answer, CampaignError):
            raise answer
        assert isinstance(answer, REPLY_TYPES[type(request)])
        return answer


@pytest.fixture
async def gw(gateway_factory: GatewayFactory) -> Any:
    async with gateway_factory(patient_service_secret=SECRET, patient_burst=5) as harness:
        fake = Campaign()
        harness.rewire(campaign=fake)
        yield harness, fake


LINK = p.PatientLinkView(
    campaign_id=uuid.uuid4(),
    type="booking",
    practice=PRACTICE,
    purpose="flu vaccination",
    expires_at=NOW,
    attempts_left=5,
)
BOOKING = p.PatientBookingView(
    practice=PRACTICE, type="flu vaccination", given_name="Ann", can_change=True, instructions="x"
)


async def test_only_the_patient_service_token_opens_it(gw: tuple[Harness, Campaign]) -> None:
    harness, fake = gw
    fake.answers[p.OpenPatientLink] = LINK
    assert (await harness.client.get(BASE)).status_code == 401
    assert (await harness.client.get(BASE, headers=harness.auth())).status_code == 401
    wrong = service_headers(secret="another-secret-that-is-long-enough-too")
    assert (await harness.client.get(BASE, headers=wrong)).status_code == 401
    staff_audience = service_headers(audience=harness.settings.jwt_audience)
    assert (await harness.client.get(BASE, headers=staff_audience)).status_code == 401

    response = await harness.client.get(BASE, headers=service_headers())
    assert response.status_code == 200, response.text
    assert response.json()["practice"]["phone"] == "01632 960000"
    assert response.headers["cache-control"] == "no-store"
    [request] = fake.requests
    assert isinstance(request, p.OpenPatientLink)
    assert (request.org_id, request.token, request.actor) == (ORG, TOKEN, "patient-link")
    # ... and the service's token opens nothing else.
    other = await harness.client.get("/v1/campaigns", headers=service_headers())
    assert other.status_code == 401


async def test_a_token_that_cannot_be_a_link_is_404_without_asking(
    gw: tuple[Harness, Campaign],
) -> None:
    harness, fake = gw
    response = await harness.client.get("/v1/patient-links/a81001.x.y", headers=service_headers())
    assert response.status_code == 404
    assert fake.requests == []


@pytest.mark.parametrize(
    ("error", "status", "header"),
    [
        (CampaignError("forbidden", "Wrong.", {"attempts_left": 3}), 403, None),
        (CampaignError("locked", "Locked.", {"practice_phone": "01632 960000"}), 423, None),
        (CampaignError("too_many_requests", "Wait.", {"retry_after_s": 4}), 429, "4"),
        (CampaignError("gone", "Expired.", {"practice_name": "Example Surgery"}), 410, None),
    ],
)
async def test_date_of_birth_refusals(
    gw: tuple[Harness, Campaign], error: CampaignError, status: int, header: str | None
) -> None:
    harness, fake = gw
    fake.answers[p.VerifyBirthDate] = error
    response = await harness.client.post(
        f"{BASE}/verification", json={"birth_date": "1950-03-14"}, headers=service_headers()
    )
    assert response.status_code == status
    assert response.json()["error"]["details"] == error.details
    assert response.headers.get("retry-after") == header
    [request] = fake.requests
    assert isinstance(request, p.VerifyBirthDate)
    assert request.birth_date.isoformat() == "1950-03-14"


async def test_booking_needs_the_session_and_passes_the_idempotency_key(
    gw: tuple[Harness, Campaign],
) -> None:
    harness, fake = gw
    fake.answers[p.BookAppointment] = BOOKING
    url = f"{BASE}/booking"
    body = {"slot_id": "a81001-flu-20300101-0900"}
    no_session = await harness.client.post(url, json=body, headers=service_headers())
    assert no_session.status_code == 422
    headers = {**service_headers(), "X-Patient-Session": SESSION, "Idempotency-Key": "key-0001"}
    response = await harness.client.post(url, json=body, headers=headers)
    assert response.status_code == 200, response.text
    [request] = fake.requests
    assert isinstance(request, p.BookAppointment)
    assert (request.session, request.idempotency_key, request.slot_id) == (
        SESSION,
        "key-0001",
        body["slot_id"],
    )
    fake.answers[p.BookAppointment] = CampaignError("conflict", "Taken.", {"reason": "slot_taken"})
    taken = await harness.client.post(url, json=body, headers=headers)
    assert (taken.status_code, taken.json()["error"]["details"]["reason"]) == (409, "slot_taken")


async def test_each_patient_address_is_rate_limited(gw: tuple[Harness, Campaign]) -> None:
    harness, fake = gw
    fake.answers[p.OpenPatientLink] = LINK
    one = {**service_headers(), "X-Patient-Address": "192.0.2.1"}
    statuses = [(await harness.client.get(BASE, headers=one)).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    other = {**service_headers(), "X-Patient-Address": "192.0.2.2"}
    assert (await harness.client.get(BASE, headers=other)).status_code == 200


def _responses(
    total: int, page: int, next_after: str | None = None
) -> p.QuestionnaireResponsesPage:
    question = p.QuestionView(link_id="smoking", text="Do you smoke?", type="choice", required=True)
    questionnaire = p.QuestionnaireView(
        id="smoking-status", title="Smoking", description="", questions=[question], fhir_json="{}"
    )
    resource = {"resourceType": "QuestionnaireResponse", "id": "r1", "status": "completed"}
    item = p.RecipientResponse(
        recipient_id="ab" * 16,
        nhs_number="9434765919",
        given_name="=Ann",
        family_name="Jones",
        response=p.QuestionnaireResponseView(
            status="completed",
            authored=NOW,
            items=[p.AnsweredQuestion(link_id="smoking", text="Do you smoke?", answers=["Yes"])],
            fhir_json=json.dumps(resource),
        ),
    )
    return p.QuestionnaireResponsesPage(
        questionnaire=questionnaire,
        items=[item],
        total=total,
        page=page,
        page_size=500,
        next_after=next_after,
    )


async def test_responses_export_as_csv_and_a_fhir_bundle(gw: tuple[Harness, Campaign]) -> None:
    harness, fake = gw
    fake.answers[p.ListQuestionnaireResponses] = _responses(total=1, page=1)
    campaign = uuid.uuid4()
    csv_response = await harness.client.get(
        f"/v1/campaigns/{campaign}/questionnaire-responses.csv", headers=harness.auth()
    )
    assert csv_response.status_code == 200
    lines = csv_response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        "nhs_number,given_name,family_name,authored,Do you smoke?",
        "9434765919,'=Ann,Jones,2030-01-01T00:00:00+00:00,Yes",
    ]
    bundle = await harness.client.get(
        f"/v1/campaigns/{campaign}/questionnaire-responses.fhir.json", headers=harness.auth()
    )
    assert bundle.headers["content-type"].startswith("application/fhir+json")
    assert bundle.json()["type"] == "collection"
    assert bundle.json()["entry"][0]["resource"]["resourceType"] == "QuestionnaireResponse"
    # FHIR's bdl-1: a total only on a search or history Bundle, never on a collection.
    assert "total" not in bundle.json()
    # Staff only: the patient service's token is refused.
    refused = await harness.client.get(
        f"/v1/campaigns/{campaign}/questionnaire-responses.csv", headers=service_headers()
    )
    assert refused.status_code == 401


async def test_the_downloads_read_every_page_on_from_the_last(
    gw: tuple[Harness, Campaign],
) -> None:
    """Three pages of responses, each naming the next by its cursor: both downloads hold all
    three, asked for page 1 and then after each cursor in turn (never by page number, which
    costs more the deeper it is). The Bundle parses as a whole although written page by page."""
    harness, fake = gw
    campaign = uuid.uuid4()
    cursors = ["1893456000000:" + "ab" * 16, "1893456000001:" + "cd" * 16, None]
    for download in ("fhir.json", "csv"):
        fake.requests.clear()
        fake.queued[p.ListQuestionnaireResponses] = [
            _responses(total=3, page=1, next_after=c) for c in cursors
        ]
        got = await harness.client.get(
            f"/v1/campaigns/{campaign}/questionnaire-responses.{download}", headers=harness.auth()
        )
        assert got.status_code == 200
        asked = [r for r in fake.requests if isinstance(r, p.ListQuestionnaireResponses)]
        assert [(r.page, r.after) for r in asked] == [(1, None), (1, cursors[0]), (1, cursors[1])]
        if download == "csv":
            assert len(got.content.decode("utf-8-sig").splitlines()) == 1 + 3
        else:
            assert [e["resource"]["id"] for e in got.json()["entry"]] == ["r1"] * 3


async def test_api_clients_page_on_by_cursor_and_a_malformed_one_is_refused(
    gw: tuple[Harness, Campaign],
) -> None:
    harness, fake = gw
    fake.answers[p.ListQuestionnaireResponses] = _responses(total=1, page=1)
    base = f"/v1/campaigns/{uuid.uuid4()}/questionnaire-responses"
    cursor = "1893456000000:" + "ab" * 16
    ok = await harness.client.get(base, params={"after": cursor}, headers=harness.auth())
    assert ok.status_code == 200
    assert ok.json()["next_after"] is None
    sent = [r for r in fake.requests if isinstance(r, p.ListQuestionnaireResponses)]
    assert sent[-1].after == cursor
    for bad in ("2030-01-01:ab", "123", "123:", "123:a b"):
        refused = await harness.client.get(base, params={"after": bad}, headers=harness.auth())
        assert refused.status_code == 422, bad
    # Appointments page on the same way.
    fake.answers[p.ListAppointments] = p.AppointmentsPage(items=[], total=0, page=1, page_size=9)
    appointments = base.replace("questionnaire-responses", "appointments")
    ok = await harness.client.get(appointments, params={"after": cursor}, headers=harness.auth())
    assert ok.status_code == 200
    assert [r.after for r in fake.requests if isinstance(r, p.ListAppointments)] == [cursor]
    refused = await harness.client.get(appointments, params={"after": "x"}, headers=harness.auth())
    assert refused.status_code == 422


async def test_the_openapi_document_has_the_patient_service_api(gateway: Harness) -> None:
    spec = (await gateway.client.get("/openapi.json")).json()
    for path in (
        "/v1/patient-links/{token}",
        "/v1/patient-links/{token}/verification",
        "/v1/patient-links/{token}/booking",
        "/v1/patient-links/{token}/slots",
        "/v1/patient-links/{token}/booking/cancellation",
        "/v1/patient-links/{token}/questionnaire",
        "/v1/patient-links/{token}/questionnaire/response",
        "/v1/campaigns/{campaign_id}/recipients/{recipient_id}/activity",
        "/v1/campaigns/{campaign_id}/appointments",
        "/v1/campaigns/{campaign_id}/questionnaire-responses",
        "/v1/questionnaires",
    ):
        assert path in spec["paths"], path
    assert "423" in spec["paths"]["/v1/patient-links/{token}/verification"]["post"]["responses"]
