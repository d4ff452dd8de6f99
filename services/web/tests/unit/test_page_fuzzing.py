"""Property-based: no page of the staff web app answers 5xx (or raises) to anything a browser or
a hostile client can send, whoever is signed in (a sender, a viewer, nobody), and whatever the
gateway answers to any call a page makes. The one 5xx allowed is the app's own "try again" page
(503) when the fake gateway is made to fail.

Every route is read from the app's router, so a new page is fuzzed without editing this file;
every form field name from ``web.forms``. ``FUZZ_EXAMPLES=2000`` runs a longer exploration."""

import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote
from uuid import uuid4

import httpx2
from hypothesis import event
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from cohort_testing import page_fuzzing
from cohort_testing.in_process import app_client
from web import forms
from web.app import SESSION_COOKIE, create_app

from ..conftest import Web
from ..conftest import settings as web_settings
from ..fake_gateway import FakeGateway
from ..html import Page

ROLES = ("sender", "viewer", "signed out")


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
odd_text = page_fuzzing.odd_text(
    [
        "1e9",
        "draft",
        "sent",
        "failed",
        "../../etc/passwd",
        "//evil.example",
        "https://evil.example/",
        "%ff%fe",
        "\ud7ff\ufffd",
        "((first_name))",
        "A81001",
        "U12345",
        "07700900123",
        "31",
        "2026",
        "9:30am",
        "25:99",
    ]
)


FAULTS = page_fuzzing.faults(
    4,
    [200, 201, 202, 400, 401, 403, 404, 409, 410, 413, 422, 429],
    [
        b'{"error": {"code": "invalid", "message": "No.", "details": {"field": "name"}}}',
        b'{"error": {"code": "conflict", "message": "No.", "details": {"fields": [1]}}}',
        b'{"error": {"code": "x", "message": "", "details": null}}',
        b'{"error": {"code": "x", "message": "m", "details": {"field": "nonesuch"}}}',
        b'{"items": 5}',
    ],
)


@dataclass
class Harness:
    client: httpx2.AsyncClient
    fake: FakeGateway
    gateway: page_fuzzing.FaultyGateway
    cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    ids: dict[str, list[str]] = field(default_factory=dict)


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


async def harness_of(stack: AsyncExitStack) -> Harness:
    fake = FakeGateway()
    gateway = page_fuzzing.FaultyGateway(fake.app)
    app = create_app(web_settings(), transport=httpx2.ASGITransport(app=gateway))
    client = await stack.enter_async_context(app_client(app, "http://web"))
    harness = Harness(client, fake, gateway, ids=seed(fake))
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


ROUTES = page_fuzzing.all_routes(create_app(web_settings()).routes, at_least=40)


def forged_cookie(contents: dict[str, Any]) -> str:
    """A session cookie as Starlette signs it (with the tests' development secret): a shape an
    older app wrote, or a session past its time."""
    return page_fuzzing.signed_cookie(web_settings().session_secret.get_secret_value(), contents)


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
    fault: page_fuzzing.Fault | None


requests = st.builds(
    Sent,
    role=st.sampled_from(ROLES),
    route=st.sampled_from(ROUTES),
    # Mostly the route's own method (None), now and then another.
    method=page_fuzzing.mostly(None, st.sampled_from(page_fuzzing.METHODS)),
    # None: a real id of the kind the path names; else what is given.
    path_values=st.lists(
        st.sampled_from([None] * 6)
        | st.sampled_from([str(uuid4()), "not-a-uuid", "1", "x" * 5_000, "%ff", "..", "a b"])
        | st.text(min_size=1, max_size=40),
        min_size=2,
        max_size=2,
    ),
    query=page_fuzzing.named(QUERY_NAMES, odd_text, 6),
    fields=page_fuzzing.named(FIELDS, odd_text, 12),
    csrf=st.sampled_from(page_fuzzing.CSRF_WAYS),
    raw_body=page_fuzzing.RAW_BODIES,
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
            "content-type": page_fuzzing.CONTENT_TYPES,
        },
    ),
    cookie=page_fuzzing.mostly("own", st.sampled_from(["none", "garbage", "expired", "odd shape"])),
    fault=FAULTS,
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
    return await page_fuzzing.send_to_page(
        harness.client,
        harness.gateway,
        sent.fault,
        sent.method or sent.route[0],
        path_of(harness, sent.route[1], sent.path_values),
        cookies=cookie_of(harness, sent),
        query=sent.query,
        form=page_fuzzing.with_csrf(sent.fields, harness.csrf[sent.role], sent.csrf),
        raw_body=sent.raw_body,
        headers=sent.headers,
        upload=sent.upload,
    )


def check(sent: Sent, response: httpx2.Response) -> None:
    event(f"{sent.role}: {response.status_code}")
    if response.status_code == 503:
        # The app's own pages: the gateway failed (made to here), or no sign-in is set up
        # (the tests' app has development sign-in only, no OpenID Connect provider).
        if sent.fault is not None and "Sorry, the service is unavailable" in response.text:
            return
        if "<title>Sign in is not available" in response.text:
            return
    assert response.status_code < 500, (response.status_code, response.text[:500])


def test_no_page_answers_5xx_to_anything_sent() -> None:
    page_fuzzing.fuzz(
        harness_of,
        send,
        check,
        requests,
        default_examples=500,
        stats_key=lambda sent: f"{sent.role}: {sent.method or ''} {sent.route}",
    )


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
