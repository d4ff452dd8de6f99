"""Property-based: no patient page answers 5xx (or raises) to anything a browser or a hostile
client can send: with the date of birth confirmed for the link, not confirmed, or no cookie at
all; for a booking link (with and without an appointment), a questionnaire link, an expired,
locked or unknown one; and whatever the gateway answers to any call a page makes. The one 5xx
allowed is the app's own "problem with the service" page (503) when the fake gateway is made to
fail.

Every route is read from the app's router, so a new page is fuzzed without editing this file.
``FUZZ_EXAMPLES=2000`` runs a longer exploration."""

from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx2
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from cohort_testing import page_fuzzing
from cohort_testing.in_process import app_client
from patient import forms
from patient.app import SESSION_COOKIE, create_app
from patient.config import PatientSettings
from patient.session import _key as link_key

from ..fake_gateway import BORN, SECRET, SMOKING, FakeGateway
from ..html import Page

ROLES = ("confirmed", "not confirmed", "no cookie")
TOKENS = {
    "booking": "A81001.AAECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
    "booked": "A81001.BBECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
    "questionnaire": "A81001.CCECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
    "expired": "A81001.DDECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
    "locked": "A81001.EEECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
    "unknown": "A81001.FFECAwQFBgcICQoLDA0ODxAR.c2lnbmF0dXJlc2lnbmF0dXJl",
}
LINK_IDS = [q["link_id"] for q in SMOKING["questions"]]  # type: ignore[index]


def settings_() -> PatientSettings:
    return PatientSettings(gateway_secret=SECRET, nhs_fonts=False, gateway_url="http://gateway")


def form_field_names() -> list[str]:
    """Every name any form of the app reads, and the answer boxes of a question page."""
    names = {"answer", "day", "month", "year"}
    for value in vars(forms).values():
        if isinstance(value, type) and issubclass(value, forms.PatientForm):
            names.update(n for n in dir(value) if isinstance(getattr(value, n), UnboundField))
    return sorted(names)


FIELDS = form_field_names()
QUERY_NAMES = ["day", "slot", "change", "ended", "done", "page", "from"]

odd_text = page_fuzzing.odd_text(
    [
        "1",
        "14",
        "3",
        "1950",
        "1950-03-14",
        "2026-13-45",
        "1e999999999",
        "-0",
        "Infinity",
        "77176002",
        "266919005",
        "slot-0-0",
        "slot-2-2",
        "slot-9-9",
        *LINK_IDS,
    ]
)


FAULTS = page_fuzzing.faults(
    3,
    [200, 201, 400, 401, 403, 404, 409, 410, 422, 423, 429],
    [
        b'{"error": {"code": "conflict", "message": "No.", "details": {}}}',
        b'{"error": {"code": "forbidden", "message": "m", "details": {"reason": 5}}}',
        b'{"error": {"code": "gone", "message": "m", "details": null}}',
        b'{"error": {"code": "locked", "message": "m", "details": {"practice_phone": 1}}}',
        b'{"error": {"code": "too_soon", "message": "m", "details": {"retry_after": "x"}}}',
        b'{"session": 5}',
    ],
)


@dataclass
class Harness:
    client: httpx2.AsyncClient
    fake: FakeGateway
    gateway: page_fuzzing.FaultyGateway
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)


def seed(fake: FakeGateway) -> None:
    fake.add(TOKENS["booking"])
    booked = fake.add(TOKENS["booked"])
    slot = booked.slots[0]
    booked.appointment = {
        "id": "appointment-1",
        "status": "booked",
        "start": slot["start"],
        "end": slot["end"],
        "type": booked.purpose,
        "location": slot["location"],
        "practitioner": slot["practitioner"],
        "booked_at": slot["start"],
    }
    fake.add(TOKENS["questionnaire"], type="questionnaire", purpose="a short question")
    fake.add(TOKENS["expired"], expired=True)
    fake.add(TOKENS["locked"], locked=True)


async def harness_of(stack: AsyncExitStack) -> Harness:
    fake = FakeGateway()
    seed(fake)
    gateway = page_fuzzing.FaultyGateway(fake.app)
    app = create_app(settings_(), transport=httpx2.ASGITransport(app=gateway))
    client = await stack.enter_async_context(app_client(app, "http://patient"))
    harness = Harness(client, fake, gateway)
    for role in ROLES:
        client.cookies.clear()
        start = f"/l/{TOKENS['booking']}"
        token = Page((await client.get(start)).text).inputs["csrf_token"]
        if role == "confirmed":
            for kind in ("booking", "booked", "questionnaire"):
                born = {"day": str(BORN.day), "month": str(BORN.month), "year": str(BORN.year)}
                data = {"csrf_token": token, **born}
                response = await client.post(f"/l/{TOKENS[kind]}", data=data)
                assert response.status_code == 303, response.text[:500]
        harness.cookies[role] = {} if role == "no cookie" else dict(client.cookies)
        harness.csrf[role] = token
    return harness


ROUTES = page_fuzzing.all_routes(create_app(settings_()).routes, at_least=15)


def forged_cookie(contents: dict[str, Any]) -> str:
    """A session cookie as Starlette signs it (with the development secret): a shape an older
    app wrote, or a link's session past its time."""
    return page_fuzzing.signed_cookie(settings_().session_secret.get_secret_value(), contents)


@dataclass
class Sent:
    """One generated request."""

    role: str
    route: tuple[str, str]
    method: str | None
    token: str | None
    link_id: str | None
    query: list[tuple[str, str]]
    fields: list[tuple[str, str]]
    csrf: str
    raw_body: bytes | None
    headers: dict[str, str]
    cookie: str
    fault: page_fuzzing.Fault | None


requests = st.builds(
    Sent,
    role=st.sampled_from(ROLES),
    route=st.sampled_from(ROUTES),
    method=page_fuzzing.mostly(None, st.sampled_from(page_fuzzing.METHODS)),
    # Mostly a seeded link, named by its kind; else what is given.
    token=page_fuzzing.mostly(
        st.sampled_from(sorted(TOKENS)),
        st.sampled_from(["a.b.c", "x" * 600, "A81001..x", "%ff.%fe.x"])
        | st.text(min_size=1, max_size=40),
    ),
    link_id=st.sampled_from(LINK_IDS) | st.sampled_from(["nonesuch", "x" * 200, "A B"]),
    query=page_fuzzing.named(QUERY_NAMES, odd_text, 6),
    fields=page_fuzzing.named(FIELDS, odd_text, 10),
    csrf=st.sampled_from(page_fuzzing.CSRF_WAYS),
    raw_body=page_fuzzing.RAW_BODIES,
    headers=st.fixed_dictionaries(
        {},
        optional={
            "host": st.sampled_from(["evil.example", "", "patient:99999", "x" * 300]),
            "accept": st.sampled_from(["application/json", "*/*", "\x7f"]),
            "x-forwarded-for": st.sampled_from(["", "1.2.3.4", "x" * 300, ",,,"]),
            "content-type": page_fuzzing.CONTENT_TYPES,
        },
    ),
    cookie=page_fuzzing.mostly("own", st.sampled_from(["garbage", "ended", "odd shape"])),
    fault=FAULTS,
)


def path_of(route: str, sent: Sent) -> str:
    token = TOKENS.get(sent.token or "", sent.token or "")
    path = route.replace("{token}", quote(token, safe="%"))
    return path.replace("{link_id}", quote(sent.link_id or "", safe="%"))


def cookie_of(harness: Harness, sent: Sent) -> dict[str, str]:
    if sent.cookie == "own":
        return harness.cookies[sent.role]
    if sent.cookie == "garbage":
        return {SESSION_COOKIE: "garbage.not-signed!"}
    # Keys as ``session`` names them for the three seeded links.
    keys = [link_key(TOKENS[k]) for k in ("booking", "booked", "questionnaire")]
    if sent.cookie == "ended":
        return {SESSION_COOKIE: forged_cookie({k: {"s": "x", "u": 1.0} for k in keys})}
    odd = {k: {"s": "x", "u": 9e12, "a": {"smoking": "77176002", "quit-date": ["x"]}} for k in keys}
    return {SESSION_COOKIE: forged_cookie(odd)}


async def send(harness: Harness, sent: Sent) -> httpx2.Response:
    return await page_fuzzing.send_to_page(
        harness.client,
        harness.gateway,
        sent.fault,
        sent.method or sent.route[0],
        path_of(sent.route[1], sent),
        cookies=cookie_of(harness, sent),
        query=sent.query,
        form=page_fuzzing.with_csrf(sent.fields, harness.csrf[sent.role], sent.csrf),
        raw_body=sent.raw_body,
        headers=sent.headers,
    )


def check(sent: Sent, response: httpx2.Response) -> None:
    if response.status_code == 503 and sent.fault is not None:
        assert "Sorry, there is a problem with the service" in response.text, response.text[:500]
        return
    assert response.status_code < 500, (response.status_code, response.text[:500])


def test_no_patient_page_answers_5xx_to_anything_sent() -> None:
    page_fuzzing.fuzz(
        harness_of,
        send,
        check,
        requests,
        default_examples=600,
        stats_key=lambda sent: f"{sent.role}: {sent.token} {sent.route[1]}",
    )
