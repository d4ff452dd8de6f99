"""Hostile provider callbacks (issue 15, part 2): forged, malformed and oversized receipts and
replies answer 4xx and publish nothing; whatever is published is something dispatch can read.
(A replayed genuine callback is Firetext's own retry: it answers 200 and changes nothing
downstream, which the end-to-end chaos run checks against the simulator's count.)"""

import re
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import ORG, Harness, running, webhook_token

RECEIPTS = "/v1/webhooks/firetext/receipts"
INBOUND = "/v1/webhooks/firetext/inbound"
# One gateway per test, emptied before each example: starting one per example would be most of
# the test's time.
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VALUES = st.one_of(
    st.sampled_from(["0", "1", "2", " 0 ", "3", "-1", "", "   ", "g-abc", "447700900123"]),
    st.sampled_from(
        [
            "0" * 20_000,
            "\x00",
            "%ff",
            "=cmd|x",
            "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
        ]
    ),
    st.text(max_size=40),
)
KEYS = st.sampled_from(
    ["status", "reference", "mobile", "code", "time", "source", "destination", "message", "x"]
)
FORMS = st.dictionaries(KEYS, VALUES, max_size=7)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=xyz",
        "application/json",
        "text/plain",
        "",
    ]
)
TOKENS = st.one_of(
    st.just(webhook_token(ORG)),
    st.sampled_from([webhook_token("B82002"), "0" * 64, "", webhook_token(ORG).upper()]),
    st.text(max_size=70),
)
ORGS = st.one_of(
    st.just(ORG), st.sampled_from(["", "a81001", "B82002", "A81001 "]), st.text(max_size=8)
)


def emptied(gateway: Harness) -> Harness:
    gateway.receipts.clear()
    gateway.receipt_batches.clear()
    gateway.replies.clear()
    return gateway


def published(gateway: Harness) -> int:
    return len(gateway.receipts) + len(gateway.replies)


async def _post(
    gateway: Harness, path: str, org: str, token: str, body: bytes, content_type: str
) -> tuple[int, Any]:
    query = urlencode({"org": org, "token": token})
    headers = {"content-type": content_type} if content_type else {}
    response = await gateway.client.post(f"{path}?{query}", content=body, headers=headers)
    return response.status_code, response.json()


def _assert_refused(gateway: Harness, status: int, body: Any) -> None:
    assert 400 <= status < 500, (status, body)
    assert body["error"]["code"]
    assert published(gateway) == 0


def _assert_readable(gateway: Harness, path: str) -> None:
    """What went to dispatch is what dispatch can act on (see dispatch's receipts handler)."""
    if path == RECEIPTS:
        [receipt] = gateway.receipts
        assert receipt.status in ("0", "1", "2")
        assert re.fullmatch(r"[\x21-\x7e]{1,100}", receipt.reference)
        assert receipt.mobile or not receipt.reference.startswith("g-")
    else:
        [reply] = gateway.replies
        assert reply.source.strip()


@FUZZ
@given(
    path=st.sampled_from([RECEIPTS, INBOUND]),
    form=FORMS,
    content_type=CONTENT_TYPES,
    raw=st.one_of(st.none(), st.binary(max_size=300)),
)
async def test_any_body_with_a_good_token_is_queued_readable_or_refused(
    gateway: Harness, path: str, form: dict[str, str], content_type: str, raw: bytes | None
) -> None:
    emptied(gateway)
    body = raw if raw is not None else urlencode(form).encode()
    status, answer = await _post(gateway, path, ORG, webhook_token(ORG), body, content_type)

    if status == 200:
        _assert_readable(gateway, path)
    else:
        _assert_refused(gateway, status, answer)


@FUZZ
@given(path=st.sampled_from([RECEIPTS, INBOUND]), org=ORGS, token=TOKENS)
async def test_a_forged_call_publishes_nothing(
    gateway: Harness, path: str, org: str, token: str
) -> None:
    emptied(gateway)
    body = urlencode({"status": "0", "reference": "r-1", "source": "447700900123"}).encode()
    status, answer = await _post(
        gateway, path, org, token, body, "application/x-www-form-urlencoded"
    )

    if org in (ORG, "B82002") and token == webhook_token(org):
        assert status == 200  # the genuine URL of that practice
    else:
        _assert_refused(gateway, status, answer)
        assert status in (401, 403)


async def test_an_oversized_reply_is_refused_unread() -> None:
    body = urlencode({"source": "447700900123", "message": "x" * 20_000}).encode()
    async with running() as gateway:
        status, answer = await _post(
            gateway, INBOUND, ORG, webhook_token(ORG), body, "application/x-www-form-urlencoded"
        )

        assert status == 413
        _assert_refused(gateway, status, answer)


async def test_receipts_dispatch_could_never_read_are_400() -> None:
    """Each of these was once queued with a 200 and then dropped or dead-lettered downstream."""
    cases = [
        {"status": "7", "reference": "r-1"},
        {"status": "0", "reference": "   "},
        {"status": "0", "reference": "g-" + "a" * 32},
    ]
    async with running() as gateway:
        for form in cases:
            status, answer = await _post(
                gateway,
                RECEIPTS,
                ORG,
                webhook_token(ORG),
                urlencode(form).encode(),
                "application/x-www-form-urlencoded",
            )
            assert status == 400, form
            _assert_refused(gateway, status, answer)
        status, answer = await _post(
            gateway,
            INBOUND,
            ORG,
            webhook_token(ORG),
            b"source=%20%20&message=hi",
            "application/x-www-form-urlencoded",
        )
        assert status == 400
        _assert_refused(gateway, status, answer)
