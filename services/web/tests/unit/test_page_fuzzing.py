"""Property-based: no page of the staff web app answers 5xx (or raises) to anything a browser or
a hostile client can send, whoever is signed in (a sender, a viewer, nobody), and whatever the
gateway answers to any call a page makes. The one 5xx allowed is the app's own "try again" page
(503) when the fake gateway is made to fail.

Every route is read from the app's router, so a new page is fuzzed without editing this file;
every form field name from ``web.forms``. ``FUZZ_EXAMPLES=2000`` runs a longer exploration."""

import asyncio
import base64
import json
import os
import reprlib
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode
from uuid import uuid4

import httpx2
import itsdangerous
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send
from wtforms.fields.core import UnboundField

from cohort_testing.in_process import app_client
from web import forms
from web.app import SESSION_COOKIE, create_app

from ..conftest import Web
from ..conftest import settings as web_settings
from ..fake_gateway import FakeGateway
from ..html import Page

#: What the generated requests got (printed with ``FUZZ_STATS=1``, to see what is reached).
STATS: Counter[tuple[str, str, int]] = Counter()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "500"))
ROLES = ("sender", "viewer", "signed out")
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")


def form_field_names() -> list[str]:
    """Every name any form of the app reads (the date input's boxes each under its own)."""
    names: set[str] = set()
    for value in vars(forms).values():
        if isinstance(value, type) and issubclass(value, forms.CohortForm):
            for name in dir(value):
                unbound = getattr(value, name)
                if isinstance(unbound, UnboundField):
                    names.add(name)
                    if boxes := unbound.kwargs.get("boxes"):
                        names.update(f"{boxes}_{part}" for part in ("day", "month", "year"))
    return sorted(names)


FIELDS = [*form_field_names(), "next", "user", "file", "practice"]
QUERY_NAMES = ["page", "p", "status", "block", "from", "done", "change", "next", "expired"]

# -- what a browser or a hostile client can put anywhere ------------------------------------
odd_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e9",
            "99999999999999999999999",
            "NaN",
            "true",
            "draft",
            "sent",
            "failed",
            "../../etc/passwd",
            "//evil.example",
            "https://evil.example/",
            "%00",
            "%ff%fe",
            "\x00",
            "\ud7ff\ufffd",
            "<script>alert(1)</script>",
            "((first_name))",
            "A81001",
            "U12345",
            "07700900123",
            "31",
            "2026",
            "9:30am",
            "25:99",
        ]
    ),
    st.integers(-(10**30), 10**30).map(str),
    st.just("x" * 3_000),
    st.just("9" * 2_000),
)


@dataclass
class Fault:
    """What the gateway answers the ``at``-th call a request makes (instead of the fake)."""

    at: int
    status: int
    body: bytes
    content_type: str = "application/json"


faults = st.one_of(
    st.none(),
    st.builds(
        Fault,
        at=st.integers(0, 4),
        status=st.sampled_from([200, 201, 202, 400, 401, 403, 404, 409, 410, 413, 422, 429])
        | st.sampled_from([500, 502, 503, 504]),
        body=st.sampled_from(
            [
                b'{"error": {"code": "invalid", "message": "No.", "details": {"field": "name"}}}',
                b'{"error": {"code": "conflict", "message": "No.", "details": {"fields": [1]}}}',
                b'{"error": {"code": "x", "message": "", "details": null}}',
                b'{"error": {"code": "x", "message": "m", "details": {"field": "nonesuch"}}}',
                b'{"error": "x"}',
                b'{"items": 5}',
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
                headers = [(b"content-type", self.fault.content_type.encode())]
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
    ids: dict[str, list[str]] = field(default_factory=dict)

    def run(self, step: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(step)


def seed(fake: FakeGateway) -> dict[str, list[str]]:
    """Things for the paths to name: a campaign at every step, its lists, patients, templates
    and opt-outs, and another practice's."""
    campaigns, lists, recipients = [], [], []
    for status in ("draft", "ready", "awaiting_approval", "scheduled", "sending", "sent"):
        campaign = fake.add_campaign(status=status)
        campaigns.append(campaign["id"])
        lists.append(fake.add_list(campaign)["id"])
        recipients.append(fake.add_recipient(campaign)["id"])
        recipients.append(
            fake.add_recipient(campaign, status="failed", reason_code="PHONE_NOT_REACHABLE")["id"]
        )
    campaigns.append(fake.add_campaign(org="B82002")["id"])
    return {
        "campaign_id": campaigns,
        "list_id": lists,
        "recipient_id": recipients,
        "template_id": ["builtin:flu", fake.add_template()["id"]],
        "suppression_id": [fake.add_suppression()["id"]],
    }


async def harness_of(stack: AsyncExitStack, loop: asyncio.AbstractEventLoop) -> Harness:
    fake = FakeGateway()
    gateway = FaultyGateway(fake)
    app = create_app(web_settings(), transport=httpx2.ASGITransport(app=gateway))
    client = await stack.enter_async_context(app_client(app, "http://web"))
    harness = Harness(client, fake, gateway, loop, ids=seed(fake))
    for role in ROLES:
        client.cookies.clear()
        fake.roles = ["sender", "viewer"] if role == "sender" else ["viewer"]
        token = Page((await client.get("/sign-in")).text).csrf()
        if role != "signed out":
            data = {"csrf_token": token, "user": "priya.shah", "next": "/campaigns"}
            assert (await client.post("/sign-in", data=data)).status_code == 303
            token = Page((await client.get("/campaigns/new")).text).csrf()
        harness.cookies[role] = dict(client.cookies)
        harness.csrf[role] = token
    fake.roles = ["sender", "viewer"]
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
    """(method, path) of every page route of the app, from its router."""
    found = sorted(api_routes(create_app(web_settings()).routes))
    assert len(found) > 40, found
    return found


ROUTES = routes()


def forged_cookie(contents: dict[str, Any]) -> str:
    """A session cookie as Starlette signs it (with the tests' development secret): a shape an
    older app wrote, or a session past its time."""
    secret = web_settings().session_secret.get_secret_value()
    data = base64.b64encode(json.dumps(contents).encode())
    return itsdangerous.TimestampSigner(secret).sign(data).decode()


@dataclass
class Sent:
    """One generated request."""

    role: str
    route: tuple[str, str]
    method: str | None
    path_values: list[str | None]
    query: list[tuple[str, str]]
    fields: list[tuple[str, str]]
    csrf: str
    raw_body: bytes | None
    upload: tuple[str, bytes] | None
    headers: dict[str, str]
    cookie: str
    fault: Fault | None

    def __repr__(self) -> str:
        short = reprlib.Repr()
        short.maxstring = short.maxother = 120
        short.maxlist = short.maxdict = 20
        return f"Sent({', '.join(f'{k}={short.repr(v)}' for k, v in vars(self).items())})"


def mostly(usual: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` about four times in five, else one of ``other`` (hypothesis alone would try
    each of a few choices about as often)."""
    return st.tuples(st.integers(0, 99), other).map(lambda t: usual if t[0] % 5 else t[1])


requests = st.builds(
    Sent,
    role=st.sampled_from(ROLES),
    route=st.sampled_from(ROUTES),
    # Mostly the route's own method (None), now and then another.
    method=mostly(None, st.sampled_from(METHODS)),
    # None: a real id of the kind the path names; else what is given.
    path_values=st.lists(
        st.sampled_from([None] * 6)
        | st.sampled_from([str(uuid4()), "not-a-uuid", "1", "x" * 5_000, "%ff", "..", "a b"])
        | st.text(min_size=1, max_size=40),
        min_size=2,
        max_size=2,
    ),
    query=st.lists(
        st.tuples(st.sampled_from(QUERY_NAMES) | st.text(max_size=5), odd_text), max_size=6
    ),
    fields=st.lists(
        st.tuples(st.sampled_from(FIELDS) | st.text(max_size=5), odd_text), max_size=12
    ),
    csrf=st.sampled_from(["good"] * 4 + ["missing", "forged", "twice"]),
    raw_body=st.sampled_from([None] * 4) | st.binary(max_size=200),
    upload=st.none()
    | st.tuples(
        st.sampled_from(["list.csv", "", "x" * 5_000 + ".csv", "a.xlsx", "\u00e9.csv"]),
        st.sampled_from([b"", b"NHS Number\r\n9434765919\r\n", b"\xff\xfe\x00\x01", b"PK\x03\x04"]),
    ),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "host": st.sampled_from(["evil.example", "", "web:99999", "x" * 300]),
            "accept": st.sampled_from(["application/json", "*/*", "text/event-stream", "\x7f"]),
            "hx-request": st.sampled_from(["true", "false", "", "1"]),
            "last-event-id": odd_text,
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
    cookie=mostly("own", st.sampled_from(["none", "garbage", "expired", "odd shape"])),
    fault=faults,
)


def path_of(harness: Harness, path: str, values: list[str | None]) -> str:
    for i, name in enumerate(
        n
        for n in ("campaign_id", "list_id", "recipient_id", "template_id", "suppression_id")
        if "{" + n + "}" in path
    ):
        value = values[min(i, len(values) - 1)]
        chosen = value if value is not None else harness.ids[name][0]
        path = path.replace("{" + name + "}", quote(chosen, safe="%"))
    return path


def cookie_of(harness: Harness, sent: Sent) -> dict[str, str]:
    own = harness.cookies[sent.role]
    if sent.cookie == "own":
        return own
    if sent.cookie == "none":
        return {}
    if sent.cookie == "garbage":
        return {SESSION_COOKIE: "garbage.not-signed!"}
    user = {"id": "priya.shah", "name": "P", "org": "A81001", "token": "x", "at": 1.0}
    if sent.cookie == "expired":
        return {SESSION_COOKIE: forged_cookie({"user": user})}
    # A session an older app wrote: no token.
    odd = {"user": {k: v for k, v in user.items() if k != "token"} | {"at": time.time()}}
    return {SESSION_COOKIE: forged_cookie(odd)}


async def send(harness: Harness, sent: Sent) -> httpx2.Response:
    client = harness.client
    client.cookies.clear()
    for name, value in cookie_of(harness, sent).items():
        client.cookies.set(name, value)
    method = sent.method or sent.route[0]
    url = path_of(harness, sent.route[1], sent.path_values)
    data = list(sent.fields)
    token = harness.csrf[sent.role]
    if sent.csrf == "good":
        data.insert(0, ("csrf_token", token))
    elif sent.csrf == "forged":
        data.insert(0, ("csrf_token", "##" + token[2:]))
    elif sent.csrf == "twice":
        data[:0] = [("csrf_token", "forged"), ("csrf_token", token)]
    # A client may send any bytes in a header; httpx takes bytes as they are.
    headers = {name: value.encode() for name, value in sent.headers.items()}
    kwargs: dict[str, Any] = {"params": sent.query, "headers": headers}
    if method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
        if sent.raw_body is not None:
            kwargs["content"] = sent.raw_body
        elif sent.upload is not None:
            kwargs["data"] = dict(data)
            kwargs["files"] = {"file": (sent.upload[0], sent.upload[1], "text/csv")}
        else:
            # Repeated names as a browser posts them (httpx's ``data`` takes a mapping only).
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
    event(f"{sent.role}: {response.status_code}")
    if os.environ.get("FUZZ_STATS"):
        STATS[(sent.role, f"{sent.method or ''} {sent.route}", response.status_code)] += 1
    if response.status_code == 503:
        # The app's own pages: the gateway failed (made to here), or no sign-in is set up
        # (the tests' app has development sign-in only, no OpenID Connect provider).
        if sent.fault is not None and "Sorry, the service is unavailable" in response.text:
            return
        if "<title>Sign in is not available" in response.text:
            return
    assert response.status_code < 500, (response.status_code, response.text[:500])


def test_no_page_answers_5xx_to_anything_sent() -> None:
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


# -- what the fuzzing found, pinned -----------------------------------------------------------
async def test_archiving_a_template_whose_address_has_a_control_character_is_not_found(
    signed_in: Web,
) -> None:
    """Found by the fuzzing: ``%1F`` in the address went into the gateway's URL as it was, which
    the client refused to build (a 500)."""
    response = await signed_in.post("/templates/%1F/archive", csrf_from="/templates/new")
    assert response.status_code == 404, response.text[:500]


async def test_archiving_a_template_whose_address_has_a_question_mark_is_not_found(
    signed_in: Web,
) -> None:
    """``%3F`` in the address made the rest a query at the gateway (another path: a 503)."""
    response = await signed_in.post("/templates/x%3Fy/archive", csrf_from="/templates/new")
    assert response.status_code == 404, response.text[:500]
    assert signed_in.gateway.requests[-1][1] == "/v1/templates/x%3Fy/archive"


async def test_live_progress_with_a_last_event_id_not_in_ascii_starts_afresh(
    signed_in: Web,
) -> None:
    """Found by the fuzzing: a ``Last-Event-ID`` of bytes outside ASCII went on to the gateway
    as it was, which the client could not encode (a 500)."""
    campaign = signed_in.gateway.add_campaign(status="sending")
    url = f"/campaigns/{campaign['id']}/events"
    for odd in ("\u00c2\u0080".encode("latin-1"), b"x" * 101, b"a\tb"):
        response = await signed_in.client.get(url, headers={b"Last-Event-ID": odd})
        assert response.status_code == 200, response.text[:500]
        assert "last-event-id" not in signed_in.gateway.requests[-1][2]
    response = await signed_in.client.get(url, headers={"Last-Event-ID": "41"})
    assert signed_in.gateway.requests[-1][2]["last-event-id"] == "41"
