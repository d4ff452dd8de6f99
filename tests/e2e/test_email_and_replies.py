"""Issue 5's email and replies proof, through the HTTP API with every service running: an email
campaign reaches a real SMTP server (aiosmtpd, in this process) once per patient with the
subject and body rendered for them, and a patient's text reply to a campaign that allows replies
shows against them."""

import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx2
import pytest

from cohort_testing.smtp_relay import smtp_relay

from . import sending_flow as flow
from .own_stack import run_stack
from .stack import Stack

pytestmark = pytest.mark.e2e

SENDER = "example.surgery@nhs.invalid"
#: The PDS simulator's email-only fixture patient (no phone at all).
PRIYA = ("9999021115", date(1995, 1, 17), "priya.shah@example.com")
SUBJECT = "Your flu jab, ((first_name))"
EMAIL_BODY = "Dear ((first_name)) ((last_name)), your flu jab is ready. Call us to book."
SMS_BODY = "Hello ((first_name)), can you come in on Tuesday? Reply YES or NO."


@dataclass
class Relay:
    """Records every message the SMTP server accepts (the server runs in its own thread)."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    def messages(self) -> list[tuple[str, list[str], EmailMessage]]:
        with self.lock:
            return list(self.received)


@pytest.fixture(scope="module")
def relay() -> Iterator[tuple[Relay, int]]:
    handler = Relay()
    with smtp_relay(handler) as port:
        yield handler, port


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, relay: tuple[Relay, int]) -> Iterator[Stack]:
    env = {
        "DISPATCH_SMTP_HOST": "127.0.0.1",
        "DISPATCH_SMTP_PORT": str(relay[1]),
        "DISPATCH_SMTP_FROM": SENDER,
    }
    yield from run_stack(tmp_path_factory, env)


def render(text: str, r: dict[str, Any]) -> str:
    return text.replace("((first_name))", r["given_name"]).replace(
        "((last_name))", r["family_name"]
    )


def completed(client: httpx2.Client, campaign_id: str) -> dict[str, Any]:
    return flow.wait_for(
        "the campaign to complete",
        lambda: c if (c := flow.campaign(client, campaign_id))["status"] == "completed" else None,
        seconds=20,
    )


def test_an_email_campaign_sends_each_patient_one_rendered_email(
    stack: Stack, relay: tuple[Relay, int]
) -> None:
    server = relay[0]
    synthetic = flow.pick(4, distinct=(lambda p: p.email,))
    client = flow.api(stack)
    campaign_id = flow.create(client, "Email")
    rows = [PRIYA[:2], *((p.nhs_number, p.birth_date) for p in synthetic)]
    progress = flow.upload(client, campaign_id, rows, channel="email")
    assert (progress["succeeded"], progress["failed"]) == (5, 0)
    flow.compose(client, campaign_id, EMAIL_BODY, subject=SUBJECT)
    review = flow.review(client, campaign_id)
    assert review["recipients_by_channel"] == {"email": 5}
    assert review["previews"][0]["subject"] == "Your flu jab, Priya"
    response = flow.send(client, campaign_id, 5)
    assert response.status_code == 202, response.text

    recipients = flow.wait_for(
        "every recipient to settle", lambda: flow.settled(client, campaign_id), seconds=30
    )
    assert Counter(r["status"] for r in recipients) == {"delivered": 5}
    contacts = {r["nhs_number"]: r["contact"] for r in recipients}
    assert contacts[PRIYA[0]] == PRIYA[2]
    assert {contacts[p.nhs_number] for p in synthetic} == {p.email for p in synthetic}
    completed(client, campaign_id)

    emails = server.messages()
    assert Counter(tuple(to) for _, to, _ in emails) == Counter((r["contact"],) for r in recipients)
    by_address = {to[0]: (sender, message) for sender, to, message in emails}
    for r in recipients:
        sender, message = by_address[r["contact"]]
        assert sender == SENDER
        assert message["To"] == r["contact"]
        assert message["Subject"] == render(SUBJECT, r)
        # On the wire lines end CRLF, as SMTP requires. The body ends with the patient's own
        # unsubscribe link, the URL that the List-Unsubscribe header gives mail clients.
        body = message.get_content().replace("\r\n", "\n").rstrip("\n")
        assert body.startswith(render(EMAIL_BODY, r) + "\n\n")
        unsubscribe = message["List-Unsubscribe"].strip("<>")
        assert unsubscribe.startswith(f"{stack.url('gateway')}/v1/unsubscribe/{flow.ORG}.")
        # The body's link is the patient pages' page for the same token: it asks first.
        token = unsubscribe.rsplit("/", 1)[1]
        assert body.endswith(f"/u/{token}")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert by_address[PRIYA[2]][1]["Subject"] == "Your flu jab, Priya"

    # One click in Priya's mail client (RFC 8058): she is on the practice's opt-out list, and
    # a later campaign leaves her out with the reason.
    priya = by_address[PRIYA[2]][1]
    clicked = httpx2.post(
        priya["List-Unsubscribe"].strip("<>"),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert clicked.status_code == 200, clicked.text
    opted_out = client.get("/v1/suppressions").json()["items"]
    assert [(s["contact"], s["source"]) for s in opted_out] == [(PRIYA[2], "email_link")]
    later = flow.create(client, "Email again")
    progress = flow.upload(client, later, [PRIYA[:2]], channel="email")
    assert (progress["succeeded"], progress["failed"]) == (0, 1)
    assert progress["failed_by_reason"][0]["reason_code"] == "OPTED_OUT"


def test_a_reply_shows_against_the_patient(stack: Stack) -> None:
    patients = flow.pick(3, prefix="9991")
    client = flow.api(stack)
    campaign_id = flow.create(client, "Replies", allow_replies=True)
    progress = flow.upload(client, campaign_id, [(p.nhs_number, p.birth_date) for p in patients])
    assert progress["succeeded"] == 3
    flow.compose(client, campaign_id, SMS_BODY)
    response = flow.send(client, campaign_id, 3)
    assert response.status_code == 202, response.text
    recipients = flow.wait_for(
        "every recipient to settle", lambda: flow.settled(client, campaign_id), seconds=30
    )
    assert Counter(r["status"] for r in recipients) == {"delivered": 3}
    completed(client, campaign_id)

    replier = patients[1]
    forged = flow.text_from(stack, replier, "NO", token="f" * 64)
    assert forged.json() == {"target_status": 403}
    accepted = flow.text_from(stack, replier, "YES, Tuesday is fine")
    assert accepted.json() == {"target_status": 200}

    def replied() -> list[dict[str, Any]] | None:
        everyone = flow.recipients(client, campaign_id)
        return everyone if any(r["reply"] for r in everyone) else None

    everyone = flow.wait_for("the reply to show", replied, seconds=20)
    replies = {r["nhs_number"]: (r["reply"], r["replied_at"]) for r in everyone}
    reply, replied_at = replies.pop(replier.nhs_number)
    assert reply == "YES, Tuesday is fine"
    assert replied_at is not None
    assert set(replies.values()) == {(None, None)}
    rows = {r["nhs_number"]: r["reply"] for r in flow.recipients_csv(client, campaign_id)}
    assert rows[replier.nhs_number] == "YES, Tuesday is fine"


def test_stop_opts_out_with_one_confirmation_and_later_campaigns_leave_the_patient_out(
    stack: Stack,
) -> None:
    patients = flow.pick(2, prefix="9992")
    client = flow.api(stack)
    first = flow.create(client, "Before STOP")
    flow.upload(client, first, [(p.nhs_number, p.birth_date) for p in patients])
    flow.compose(client, first, "Hello ((first_name)), your review is due.")
    assert flow.send(client, first, 2).status_code == 202
    flow.wait_for("every recipient to settle", lambda: flow.settled(client, first), seconds=30)
    # A second campaign, resolved before the patient opts out: reviewed, not yet sent.
    second = flow.create(client, "Resolved before STOP")
    flow.upload(client, second, [(p.nhs_number, p.birth_date) for p in patients])
    flow.compose(client, second, "Hello ((first_name)), a second message.")
    assert flow.review(client, second)["recipient_count"] == 2

    stopper = patients[0]
    for text in ("  stop ", "STOP"):  # the patient sends it twice
        pushed = flow.text_from(stack, stopper, text)
        assert pushed.json() == {"target_status": 200}

    def excluded() -> dict[str, Any] | None:
        review = flow.review(client, second)
        return review if review["recipient_count"] == 1 else None

    review = flow.wait_for("the opt-out to reach the review", excluded, seconds=20)
    assert [(e["reason_code"], e["count"]) for e in review["excluded_by_reason"]] == [
        ("OPTED_OUT", 1)
    ]
    assert flow.send(client, second, 1).status_code == 202
    flow.wait_for("the second campaign to settle", lambda: flow.settled(client, second), seconds=30)

    def confirmed() -> list[dict[str, Any]] | None:
        texts = flow.handsets(stack, to=stopper.mobile)
        return texts if any("no longer get text messages" in t["message"] for t in texts) else None

    texts = flow.wait_for("the confirmation", confirmed, seconds=20)
    bodies = [t["message"] for t in texts]
    # Exactly: the first campaign's message and one confirmation; nothing from the second.
    assert len(bodies) == 2, bodies
    assert sum("no longer get text messages" in b for b in bodies) == 1
    assert not any("a second message" in b for b in bodies)
