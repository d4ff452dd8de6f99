"""The gateway's patient-link API in memory, as the patient service sees it: the same paths,
headers, shapes and refusals (403/404/409/410/423/429), checking the service's token."""

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

import jwt
from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse

SECRET = "test-patient-gateway-secret-long-enough-for-hs256"
PRACTICE = {"ods": "A81001", "name": "Example Surgery", "phone": "01632 960000"}
BORN = date(1950, 3, 14)

SMOKING = {
    "id": "smoking-status",
    "title": "Smoking status",
    "description": "Whether you smoke.",
    "questions": [
        {
            "link_id": "smoking",
            "text": "Do you smoke?",
            "type": "choice",
            "required": True,
            "options": [
                {"code": "77176002", "display": "Yes, every day"},
                {"code": "266919005", "display": "I have never smoked"},
            ],
        },
        {
            "link_id": "cigarettes-per-day",
            "text": "About how many cigarettes do you smoke a day?",
            "type": "integer",
            "required": True,
            "min_value": 0,
            "max_value": 100,
            "unit": "a day",
            "enable_when": [{"link_id": "smoking", "code": "77176002"}],
        },
        {
            "link_id": "quit-date",
            "text": "When did you last try to stop?",
            "type": "date",
            "required": False,
        },
        {
            "link_id": "vapes",
            "text": "Do you use an e-cigarette or vape?",
            "type": "boolean",
            "required": True,
        },
    ],
}


def error(status: int, code: str, message: str, **details: Any) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "details": details}}, status)


class Refused(Exception):
    """A request the gateway refuses, with its answer."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class FakeLink:
    type: str = "booking"
    purpose: str = "flu vaccination"
    expired: bool = False
    failures: int = 0
    locked: bool = False
    too_soon: bool = False
    appointment: dict[str, Any] | None = None
    slots: list[dict[str, Any]] = field(default_factory=list)
    response: dict[str, Any] | None = None
    #: Slot ids someone else books before this patient can.
    taken: set[str] = field(default_factory=set)
    bookings: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    submissions: list[dict[str, list[str]]] = field(default_factory=list)


def make_slots(days: int = 3, per_day: int = 3) -> list[dict[str, Any]]:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return [
        {
            "id": f"slot-{d}-{t}",
            "start": (start + timedelta(days=d, minutes=20 * t)).isoformat(),
            "end": (start + timedelta(days=d, minutes=20 * t + 15)).isoformat(),
            "location": "Example Surgery",
            "practitioner": "Nurse Grace Okafor",
        }
        for d in range(days)
        for t in range(per_day)
    ]


class FakeGateway:
    def __init__(self) -> None:
        self.links: dict[str, FakeLink] = {}
        self.sessions: dict[str, str] = {}
        self.down = False
        self.end_sessions = False
        self.addresses: list[str] = []
        self.unsubscribed: list[str] = []
        self.app = self._build()

    def add(self, token: str, **fields: Any) -> FakeLink:
        link = FakeLink(**fields)
        if link.type == "booking" and not link.slots:
            link.slots = make_slots()
        self.links[token] = link
        return link

    def _build(self) -> FastAPI:  # noqa: C901 - one route per endpoint, as the gateway has
        app = FastAPI()

        @app.exception_handler(Refused)
        async def refused(_request: Request, refusal: Refused) -> JSONResponse:
            return refusal.response

        def check(request: Request, token: str, session: str | None = None) -> FakeLink:
            """The link, or ``Refused`` with the gateway's answer to a request it refuses."""
            _scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
            try:
                jwt.decode(bearer, SECRET, algorithms=["HS256"], audience="cohort-patient-links")
            except jwt.InvalidTokenError:
                raise Refused(error(401, "unauthorized", "Only the patient service.")) from None
            if self.down:
                raise Refused(error(503, "unavailable", "Down."))
            self.addresses.append(request.headers.get("x-patient-address", ""))
            link = self.links.get(token)
            if link is None:
                raise Refused(error(404, "not_found", "This link is not valid."))
            if link.expired:
                practice = {"practice_name": PRACTICE["name"], "practice_phone": PRACTICE["phone"]}
                raise Refused(error(410, "gone", "Expired.", **practice))
            if session is not None and (self.end_sessions or self.sessions.get(session) != token):
                raise Refused(
                    error(403, "forbidden", "Confirm your date of birth.", reason="session")
                )
            return link

        async def session_link(
            token: str, request: Request, x_patient_session: str = Header()
        ) -> FakeLink:
            """The link of a request made within the patient's session."""
            return check(request, token, x_patient_session)

        SessionLink = Annotated[FakeLink, Depends(session_link)]

        def booking_view(link: FakeLink) -> dict[str, Any]:
            return {
                "practice": PRACTICE,
                "type": link.purpose,
                "given_name": "Ann",
                "appointment": link.appointment,
                "can_change": True,
                "instructions": "Wear a top that lets you show your upper arm.",
            }

        @app.post("/v1/unsubscribe/{token}")
        async def unsubscribe(token: str) -> Any:
            # Public on the real gateway: no service token needed.
            if not token.endswith(".good-signature"):
                return error(404, "not_found", "This link is not valid.")
            self.unsubscribed.append(token)
            return {"practice_name": "Riverside Surgery"}

        @app.get("/v1/patient-links/{token}")
        async def open_link(token: str, request: Request) -> Any:
            link = check(request, token)
            return {
                "campaign_id": str(uuid.uuid4()),
                "type": link.type,
                "practice": PRACTICE,
                "purpose": link.purpose,
                "expires_at": (datetime.now(UTC) + timedelta(days=7)).isoformat(),
                "locked": link.locked,
                "attempts_left": 5 - link.failures,
            }

        @app.post("/v1/patient-links/{token}/verification")
        async def verify(token: str, request: Request) -> Any:
            link = check(request, token)
            if link.locked:
                return error(423, "locked", "Locked.", practice_phone=PRACTICE["phone"])
            if link.too_soon:
                return error(429, "too_many_requests", "Wait.", retry_after_s=4)
            if date.fromisoformat((await request.json())["birth_date"]) != BORN:
                link.failures += 1
                if link.failures >= 5:
                    link.locked = True
                    return error(423, "locked", "Locked.", practice_phone=PRACTICE["phone"])
                return error(403, "forbidden", "Wrong.", attempts_left=5 - link.failures)
            session = uuid.uuid4().hex
            self.sessions[session] = token
            until = datetime.now(UTC) + timedelta(minutes=30)
            return {"session": session, "expires_at": until.isoformat(), "given_name": "Ann"}

        @app.get("/v1/patient-links/{token}/booking")
        async def booking(link: SessionLink) -> Any:
            return booking_view(link)

        @app.get("/v1/patient-links/{token}/slots")
        async def slots(link: SessionLink) -> Any:
            free = [
                s
                for s in link.slots
                if s["id"] not in link.taken and s["id"] not in link.bookings[-1:]
            ]
            return {"type": link.purpose, "slots": free}

        @app.post("/v1/patient-links/{token}/booking")
        async def book(link: SessionLink, request: Request, idempotency_key: str = Header()) -> Any:
            slot_id = (await request.json())["slot_id"]
            if idempotency_key in link.keys:
                return booking_view(link)
            if slot_id in link.taken:
                return error(409, "conflict", "Taken.", reason="slot_taken")
            if not isinstance(slot_id, str) or not 1 <= len(slot_id) <= 64:
                return error(422, "invalid", "Choose a time.", field="slot_id")
            slot = next((s for s in link.slots if s["id"] == slot_id), None)
            if slot is None:
                # As campaign answers a booking the practice's system refused.
                return error(409, "conflict", "Taken.", reason="slot_taken")
            link.keys[idempotency_key] = slot_id
            link.bookings.append(slot_id)
            link.appointment = {
                "id": uuid.uuid4().hex,
                "status": "booked",
                "start": slot["start"],
                "end": slot["end"],
                "type": link.purpose,
                "location": slot["location"],
                "practitioner": slot["practitioner"],
                "booked_at": datetime.now(UTC).isoformat(),
            }
            return booking_view(link)

        @app.post("/v1/patient-links/{token}/booking/cancellation")
        async def cancel(link: SessionLink, idempotency_key: str = Header()) -> Any:
            link.appointment = None
            return booking_view(link)

        def questionnaire_view(link: FakeLink) -> dict[str, Any]:
            return {
                "practice": PRACTICE,
                "given_name": "Ann",
                "questionnaire": {**SMOKING, "fhir_json": "{}"},
                "response": link.response,
            }

        @app.get("/v1/patient-links/{token}/questionnaire")
        async def questionnaire(link: SessionLink) -> Any:
            return questionnaire_view(link)

        @app.post("/v1/patient-links/{token}/questionnaire/response")
        async def answer(
            link: SessionLink, request: Request, idempotency_key: str = Header()
        ) -> Any:
            answers = {a["link_id"]: a["values"] for a in (await request.json())["answers"]}
            if link.response is None:
                link.submissions.append(answers)
                link.response = {
                    "authored": datetime.now(UTC).isoformat(),
                    "items": [{"link_id": k, "text": k, "answers": v} for k, v in answers.items()],
                }
            return questionnaire_view(link)

        return app


def now_plus(seconds: float) -> float:
    return time.time() + seconds
