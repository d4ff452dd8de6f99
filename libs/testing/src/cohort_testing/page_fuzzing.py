"""What the page apps' property-based tests share: their routes read from the app's router, a
fake gateway that answers one call of a request with a fault instead, session cookies signed as
Starlette signs them, the CSRF token sent well or badly, and the loop that sends each generated
request through the app in process. What a request holds, and what counts as a good answer, is
each app's own."""

import asyncio
import base64
import json
import os
import reprlib
import sys
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import httpx2
import itsdangerous
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

H = TypeVar("H")
S = TypeVar("S")

#: How many requests each property test sends; ``FUZZ_EXAMPLES=5000`` explores longer.
EXAMPLES_ENV = "FUZZ_EXAMPLES"
#: ``FUZZ_STATS=1`` prints what the generated requests got, to see which pages they reach.
STATS_ENV = "FUZZ_STATS"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
#: How the CSRF token goes with a form: as the page gave it, left out, altered, or after a
#: forged one.
CSRF_WAYS = ("good", "good", "good", "good", "missing", "forged", "twice")


#: What a browser or a hostile client may put in any field, query or header of any app.
ANYWHERE = [
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999999",
    "NaN",
    "true",
    "%00",
    "\x00",
    "<script>alert(1)</script>",
]


def odd_text(own: Sequence[str]) -> st.SearchStrategy[str]:
    """Any short text, a value from ``ANYWHERE`` or the app's ``own`` (values its pages
    read), a huge integer, or a very long value."""
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from([*ANYWHERE, *own]),
        st.integers(-(10**30), 10**30).map(str),
        st.just("x" * 3_000),
        st.just("9" * 5_000),
    )


def named(
    names: Sequence[str], values: st.SearchStrategy[str], most: int
) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Up to ``most`` (name, value) pairs, names repeated as a form or query may repeat them:
    mostly the app's own ``names``, now and then any short name."""
    return st.lists(
        st.tuples(st.sampled_from(list(names)) | st.text(max_size=5), values), max_size=most
    )


#: No body of its own (the form is posted) three times in four, else any bytes.
RAW_BODIES = st.sampled_from([None] * 4) | st.binary(max_size=200)
#: What a client may say its body is, whatever the body.
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain; charset=nonesuch",
    ]
)


def examples(default: int) -> int:
    return int(os.environ.get(EXAMPLES_ENV, str(default)))


@dataclass
class Fault:
    """What the gateway answers the ``at``-th call a request makes (instead of the fake)."""

    at: int
    status: int
    body: bytes


#: Bodies no page can read as the gateway's answer, whatever it asked.
UNREADABLE = [
    b'{"error": "x"}',
    b"[]",
    b"{}",
    b"null",
    b"not json",
    b"\xff\xfe\x00",
    b"",
]


def faults(last_call: int, statuses: Sequence[int], bodies: Sequence[bytes]) -> Any:
    """No fault, or one of the gateway's answers (and its failures) with one of ``bodies`` or
    an unreadable one."""
    return st.none() | st.builds(
        Fault,
        at=st.integers(0, last_call),
        status=st.sampled_from(list(statuses)) | st.sampled_from([500, 502, 503, 504]),
        body=st.sampled_from([*bodies, *UNREADABLE]),
    )


class FaultyGateway:
    """The fake gateway's ASGI app, with one call per request answered by a ``Fault``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.fault: Fault | None = None
        self.calls = 0

    def answering(self, fault: Fault | None) -> None:
        """The next request's calls: counted from the first, the ``fault.at``-th one faulty."""
        self.fault, self.calls = fault, 0

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
        await self.app(scope, receive, send)


def page_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through the routers an app includes (FastAPI keeps an
    included router whole, as one route holding the router)."""
    for route in routes:
        if isinstance(route, Route):
            yield from ((method, prefix + route.path) for method in route.methods or ())
        elif (included := getattr(route, "original_router", None)) is not None:
            more = getattr(getattr(route, "include_context", None), "prefix", "") or ""
            yield from page_routes(included.routes, prefix + more)


def all_routes(routes: Sequence[BaseRoute], at_least: int) -> list[tuple[str, str]]:
    """Every route, sorted; fewer than ``at_least`` means the walk above missed some."""
    found = sorted(page_routes(routes))
    assert len(found) >= at_least, found
    return found


def signed_cookie(secret: str, contents: dict[str, Any]) -> str:
    """A session cookie as Starlette's SessionMiddleware signs it with ``secret``: a shape an
    older app wrote, or a session past its time."""
    data = base64.b64encode(json.dumps(contents).encode())
    return itsdangerous.TimestampSigner(secret).sign(data).decode()


def mostly(usual: Any, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``usual`` (a value, or what a strategy draws) about four times in five, else one of
    ``other`` (hypothesis alone would try each of a few choices about as often)."""
    common = usual if isinstance(usual, st.SearchStrategy) else st.just(usual)
    return st.tuples(st.integers(0, 99), common, other).map(lambda t: t[1] if t[0] % 5 else t[2])


def with_csrf(fields: list[tuple[str, str]], token: str, way: str) -> list[tuple[str, str]]:
    """The form's fields with the CSRF token sent ``way`` (one of ``CSRF_WAYS``)."""
    if way == "good":
        return [("csrf_token", token), *fields]
    if way == "forged":
        return [("csrf_token", "##" + token[2:]), *fields]
    if way == "twice":
        return [("csrf_token", "forged"), ("csrf_token", token), *fields]
    return list(fields)


async def send_to_page(
    client: httpx2.AsyncClient,
    gateway: FaultyGateway,
    fault: Fault | None,
    method: str,
    url: str,
    *,
    cookies: dict[str, str],
    query: list[tuple[str, str]],
    form: list[tuple[str, str]],
    raw_body: bytes | None,
    headers: dict[str, str],
    upload: tuple[str, bytes] | None = None,
) -> httpx2.Response:
    """One request to the app, as a browser or a hostile client may send it: ``form`` posted
    with its names repeated as given, else ``raw_body`` as it is, else ``form`` with ``upload``
    as its file; the gateway answering as ``fault`` says."""
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies.set(name, value)
    # A client may send any bytes in a header; httpx takes bytes as they are.
    sent_headers = {name: value.encode() for name, value in headers.items()}
    kwargs: dict[str, Any] = {"params": query, "headers": sent_headers}
    if method not in ("GET", "HEAD", "OPTIONS", "DELETE"):
        if raw_body is not None:
            kwargs["content"] = raw_body
        elif upload is not None:
            kwargs["data"] = dict(form)
            kwargs["files"] = {"file": (upload[0], upload[1], "text/csv")}
        else:
            # Repeated names as a browser posts them (httpx's ``data`` takes a mapping only).
            kwargs["content"] = urlencode(form).encode()
            form_type = {"content-type": b"application/x-www-form-urlencoded"}
            kwargs["headers"] = form_type | sent_headers
    gateway.answering(fault)
    try:
        return await client.request(method, url, **kwargs)
    finally:
        gateway.answering(None)


def short_repr(value: object) -> str:
    """A generated request as hypothesis prints a failing one: every field, long values cut."""
    short = reprlib.Repr()
    short.maxstring = short.maxother = 120
    short.maxlist = short.maxdict = 20
    fields = ", ".join(f"{k}={short.repr(v)}" for k, v in vars(value).items())
    return f"{type(value).__name__}({fields})"


def fuzz(
    setup: Callable[[AsyncExitStack], Awaitable[H]],
    send: Callable[[H, S], Awaitable[httpx2.Response]],
    check: Callable[[S, httpx2.Response], None],
    requests: st.SearchStrategy[S],
    *,
    default_examples: int,
    stats_key: Callable[[S], str],
) -> None:
    """Sets the app up once (``setup``), then sends it each generated request (``send``) and
    checks the answer (``check``), on one event loop of its own: hypothesis runs each example
    synchronously."""
    stats: Counter[tuple[str, int]] = Counter()
    loop = asyncio.new_event_loop()
    stack = AsyncExitStack()
    try:
        harness = loop.run_until_complete(setup(stack))

        @settings(
            max_examples=examples(default_examples),
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(requests)
        def one(sent: S) -> None:
            note(short_repr(sent))
            response = loop.run_until_complete(asyncio.wait_for(send(harness, sent), 10))
            stats[(stats_key(sent), response.status_code)] += 1
            check(sent, response)

        one()
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()
    if os.environ.get(STATS_ENV):
        for (key, status), n in sorted(stats.items(), key=str):
            sys.stderr.write(f"{key} {status} {n}\n")
