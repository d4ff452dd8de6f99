"""Property-based: no patient page answers 5xx (or raises) to anything a browser or a hostile
client can send: with the date of birth confirmed for the link, not confirmed, or no cookie at
all; for a booking link (with and without an appointment), a questionnaire link, an expired,
locked or unknown one; and whatever the gateway answers to any call a page makes. The one 5xx
allowed is the app's own "problem with the service" page (503) when the fake gateway is made to
fail.

Every route is read from the app's router, so a new page is fuzzed without editing this file.
``FUZZ_EXAMPLES=2000`` runs a longer exploration."""

import asyncio
import base64
import json
import os
import reprlib
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx2
import itsdangerous
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send
from wtforms.fields.core import UnboundField

from cohort_testing.in_process import app_client
from patient import forms
from patient.app import SESSION_COOKIE, create_app
from patient.config import PatientSettings
from patient.session import _key as link_key

from ..fake_gateway import BORN, SECRET, SMOKING, FakeGateway
from ..html import Page

#: What the generated requests got (printed with ``FUZZ_STATS=1``, to see what is reached).
STATS: Counter[tuple[Any, ...]] = Counter()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "600"))
ROLES = ("confirmed", "not confirmed", "no cookie")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
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

odd_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1",
            "14",
            "3",
            "1950",
            "1950-03-14",
            "2026-13-45",
            "99999999999999999999999",
            "1e999999999",
            "-0",
            "NaN",
            "Infinity",
            "true",
            "77176002",
            "266919005",
            "slot-0-0",
            "slot-2-2",
            "slot-9-9",
            "%00",
            "\x00",
            "<script>alert(1)</script>",
            *LINK_IDS,
        ]
    ),
    st.integers(-(10**30), 10**30).map(str),
    st.just("x" * 3_000),
    st.just("9" * 5_000),
)


@dataclass
class Fault:
    """What the gateway answers the ``at``-th call a request makes (instead of the fake)."""

    at: int
    status: int
    body: bytes


faults = st.one_of(
    st.none(),
    st.builds(
        Fault,
        at=st.integers(0, 3),
        status=st.sampled_from([200, 201, 400, 401, 403, 404, 409, 410, 422, 423, 429])
        | st.sampled_from([500, 502, 503, 504]),
        body=st.sampled_from(
            [
                b'{"error": {"code": "conflict", "message": "No.", "details": {}}}',
                b'{"error": {"code": "forbidden", "message": "m", "details": {"reason": 5}}}',
                b'{"error": {"code": "gone", "message": "m", "details": null}}',
                b'{"error": {"code": "locked", "message": "m", "details": {"practice_phone": 1}}}',
                b'{"error": {"code": "too_soon", "message": "m", "details": {"retry_after": "x"}}}',
                b'{"error": "x"}',
                b'{"session": 5}',
                b"[]",
                b"{}",
                b"null",
                b"not json",
                b"\xff\xfe\x00",
                b"",
            ]
        ),
    ),
)


class FaultyGateway:
    """The fake gateway, with one call per request answered by a ``Fault`` instead."""

    def __init__(self, fake: FakeGateway) -> None:
        self.fake = fake
        self.fault: Fault | None = None
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.fault is not None:
            n, self.calls = self.calls, self.calls + 1
            if n == self.fault.at:
                headers = [(b"content-type", b"application/json")]
                await send(
                    {"type": "http.response.start", "status": self.fault.status, "headers": headers}
                )
                await send({"type": "http.response.body", "body": self.fault.body})
                return
        await self.fake.app(scope, receive, send)


@dataclass
class Harness:
    client: httpx2.AsyncClient
    fake: FakeGateway
    gateway: FaultyGateway
    loop: asyncio.AbstractEventLoop
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)

    def run(self, step: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(step)


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


async def harness_of(stack: AsyncExitStack, loop: asyncio.AbstractEventLoop) -> Harness:
    fake = FakeGateway()
    seed(fake)
    gateway = FaultyGateway(fake)
    app = create_app(settings_(), transport=httpx2.ASGITransport(app=gateway))
    client = await stack.enter_async_context(app_client(app, "http://patient"))
    harness = Harness(client, fake, gateway, loop)
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


def run_harness(test: Callable[[Harness], None]) -> None:
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        harness = loop.run_until_complete(harness_of(stack, loop))
        test(harness)
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


def api_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every page route, through the routers the app includes (FastAPI
    keeps an included router whole, as one route holding the router)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield from ((method, prefix + route.path) for method in route.methods or ())
        elif (included := getattr(route, "original_router", None)) is not None:
            more = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            yield from api_routes(included.routes, prefix + more)


def routes() -> list[tuple[str, str]]:
    found = sorted(api_routes(create_app(settings_()).routes))
    assert len(found) > 15, found
    return found


ROUTES = routes()


def forged_cookie(contents: dict[str, Any]) -> str:
    """A session cookie as Starlette signs it (with the development secret): a shape an older
    app wrote, or a link's session past its time."""
    secret = settings_().session_secret.get_secret_value()
    data = base64.b64encode(json.dumps(contents).encode())
    return itsdangerous.TimestampSigner(secret).sign(data).decode()


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
    fault: Fault | None

    def __repr__(self) -> str:
        short = reprlib.Repr()
        short.maxstring = short.maxother = 120
        short.maxlist = short.maxdict = 20
        return f"Sent({', '.join(f'{k}={short.repr(v)}' for k, v in vars(self).items())})"


def mostly(usual: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` (a value, or what a strategy draws) about four times in five, else one of
    ``other``."""
    common = usual if isinstance(usual, st.SearchStrategy) else st.just(usual)
    return st.tuples(st.integers(0, 99), common, other).map(lambda t: t[1] if t[0] % 5 else t[2])


requests = st.builds(
    Sent,
    role=st.sampled_from(ROLES),
    route=st.sampled_from(ROUTES),
    method=mostly(None, st.sampled_from(METHODS)),
    # Mostly a seeded link, named by its kind; else what is given.
    token=mostly(
        st.sampled_from(sorted(TOKENS)),
        st.sampled_from(["a.b.c", "x" * 600, "A81001..x", "%ff.%fe.x"])
        | st.text(min_size=1, max_size=40),
    ),
    link_id=st.sampled_from(LINK_IDS) | st.sampled_from(["nonesuch", "x" * 200, "A B"]),
    query=st.lists(
        st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=5), odd_text), max_size=6
    ),
    fields=st.lists(
        st.tuples(st.sampled_from(FIELDS) | st.text(max_size=5), odd_text), max_size=10
    ),
    csrf=st.sampled_from(["good"] * 4 + ["missing", "forged", "twice"]),
    raw_body=st.sampled_from([None] * 4) | st.binary(max_size=200),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "host": st.sampled_from(["evil.example", "", "patient:99999", "x" * 300]),
            "accept": st.sampled_from(["application/json", "*/*", "\x7f"]),
            "x-forwarded-for": st.sampled_from(["", "1.2.3.4", "x" * 300, ",,,"]),
            "content-type": st.sampled_from(
                [
                    "application/x-www-form-urlencoded",
                    "multipart/form-data",
                    "multipart/form-data; boundary=x",
                    "application/json",
                    "text/plain; charset=nonesuch",
                ]
            ),
        },
    ),
    cookie=mostly("own", st.sampled_from(["garbage", "ended", "odd shape"])),
    fault=faults,
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
    client = harness.client
    client.cookies.clear()
    for name, value in cookie_of(harness, sent).items():
        client.cookies.set(name, value)
    method = sent.method or sent.route[0]
    url = path_of(sent.route[1], sent)
    data = list(sent.fields)
    token = harness.csrf[sent.role]
    if sent.csrf == "good":
        data.insert(0, ("csrf_token", token))
    elif sent.csrf == "forged":
        data.insert(0, ("csrf_token", "##" + token[2:]))
    elif sent.csrf == "twice":
        data[:0] = [("csrf_token", "forged"), ("csrf_token", token)]
    headers = {name: value.encode() for name, value in sent.headers.items()}
    kwargs: dict[str, Any] = {"params": sent.query, "headers": headers}
    if method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
        if sent.raw_body is not None:
            kwargs["content"] = sent.raw_body
        else:
            kwargs["content"] = urlencode(data).encode()
            kwargs["headers"] = {"content-type": "application/x-www-form-urlencoded"} | headers
    harness.gateway.fault = sent.fault
    harness.gateway.calls = 0
    try:
        return await asyncio.wait_for(client.request(method, url, **kwargs), 10)
    finally:
        harness.gateway.fault = None


def check(harness: Harness, sent: Sent) -> None:
    note(repr(sent))
    response = harness.run(send(harness, sent))
    if os.environ.get("FUZZ_STATS"):
        STATS[(sent.role, sent.token, sent.route[1], response.status_code)] += 1
    if response.status_code == 503 and sent.fault is not None:
        assert "Sorry, there is a problem with the service" in response.text, response.text[:500]
        return
    assert response.status_code < 500, (response.status_code, response.text[:500])


def test_no_patient_page_answers_5xx_to_anything_sent() -> None:
    def fuzz(harness: Harness) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(requests)
        def one(sent: Sent) -> None:
            check(harness, sent)

        one()

    run_harness(fuzz)
    for key, n in sorted(STATS.items(), key=str):
        sys.stderr.write(f"{key} {n}\n")
