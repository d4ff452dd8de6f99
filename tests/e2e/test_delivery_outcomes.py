"""Issue 4's proof, through the HTTP API with every service running: each Firetext outcome ends as
the status and plain-English reason staff see, a message whose receipt never comes fails
NO_RECEIPT after the timeout, nothing stays in flight, and receipts are trusted only with the
right token and only once."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
import pytest

from cohort_platform.webhooks import receipt_token
from dispatch.domain.receipts import FAILURES

from . import sending_flow as flow
from .own_stack import run_stack
from .sending_flow import Patient
from .stack import Stack

pytestmark = pytest.mark.e2e

#: By the last digit of the number: 1 declined 101 (permanent); 2 pending, then declined 102
#: (temporary); 3 pending and never anything more; anything else delivered.
OUTCOMES = "1=1:101,2=2:000>1:102,3=2:000"
#: Long enough for the test to send its forged receipts and the one genuine one while the
#: silent patients still wait (5 s was not, with other tests running beside it).
RECEIPT_TIMEOUT_S = 15
ENV = {
    "FIRETEXT_SIM_OUTCOMES": OUTCOMES,
    "CAMPAIGN_RECEIPT_TIMEOUT_S": str(RECEIPT_TIMEOUT_S),
    "CAMPAIGN_SWEEP_INTERVAL_S": "1",
    # Dispatch's default rate (the shared stack sends at 2,000/s): a chunk of 50 then takes
    # 2.5 s to send, while each receipt comes 100 ms after its request, as with the real
    # Firetext, where receipts often come before the whole chunk has gone.
    "DISPATCH_SMS_RATE_LIMIT": "20",
}
BODY = "Hello ((first_name)) ((last_name)), please book your flu jab at the surgery."
NO_RECEIPT_REASON = (
    "The mobile network never confirmed delivery. The phone may be off or out of signal."
)
STATUS_NUMBER = {"delivered": "0", "declined": "1", "pending": "2"}
#: The delivered patients' one name: their texts are identical, so they share requests.
SHARED_NAME = ("Olivia", "Smith")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from run_stack(tmp_path_factory, ENV)


def patients() -> dict[str, list[Patient]]:
    """15 patients per outcome, each on a handset of their own. The delivered ones share a
    name, so their texts go as shared requests (one ``g-`` reference, receipts matched by
    number); everyone else has a name of their own, so a text of their own and a request of
    their own (the recipient id as its reference)."""
    groups: dict[str, list[Patient]] = {
        "delivered": flow.pick(
            15,
            accept=lambda p: p.mobile[-1] in "0456789" and (p.given, p.family) == SHARED_NAME,
        )
    }
    kinds = {"1": "unknown", "2": "temporary", "3": "silent"}
    names, mobiles = {SHARED_NAME}, {p.mobile for p in groups["delivered"]}
    for p in flow.synthetic_patients("9991"):
        kind = kinds.get(p.mobile[-1])
        fresh = (p.given, p.family) not in names and p.mobile not in mobiles
        if kind and fresh and len(groups.setdefault(kind, [])) < 15:
            names.add((p.given, p.family))
            mobiles.add(p.mobile)
            groups[kind].append(p)
        if sum(map(len, groups.values())) == 60:
            return groups
    raise AssertionError("not enough synthetic patients fit")


def receipt_form(entry: dict[str, Any], status: str) -> dict[str, str]:
    return {
        "mobile": entry["mobile"],
        "status": status,
        "reference": entry["reference"],
        "time": datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m-%d %H:%M:%S"),
        "code": "000" if status != "1" else str(entry["code"]),
    }


def snapshot(client: httpx2.Client, campaign_id: str) -> dict[str, tuple[Any, ...]]:
    return {
        r["id"]: (r["status"], r["reason_code"], r["reason"], r["updated_at"])
        for r in flow.recipients(client, campaign_id)
    }


@dataclass
class Sent:
    campaign_id: str
    kind_of: dict[str, str]  # NHS number -> outcome group
    everyone: list[Patient]
    #: The silent patient sent a genuine late "delivered", and the others sent forged ones.
    control: str
    forged: dict[str, list[tuple[str, int]]]  # mobile -> (what was wrong, HTTP status)
    #: What each forged target's recipient was when the forged receipts came.
    forged_while: dict[str, str]
    entries: dict[str, dict[str, Any]]  # mobile -> the simulator's message


@pytest.fixture(scope="module")
def sent(stack: Stack) -> Sent:
    groups = patients()
    everyone = [p for group in groups.values() for p in group]
    client = flow.api(stack)
    campaign_id = flow.create(client, "Outcomes")
    progress = flow.upload(client, campaign_id, [(p.nhs_number, p.birth_date) for p in everyone])
    assert (progress["succeeded"], progress["failed"]) == (60, 0)
    flow.compose(client, campaign_id, BODY)
    assert flow.review(client, campaign_id)["recipient_count"] == 60
    response = flow.send(client, campaign_id, 60)
    assert response.status_code == 202, response.text

    # While the silent ones wait for a receipt, each is sent a "delivered" with a wrong token
    # (or another organisation's, or none), but one of them with the right token.
    silent = {p.mobile for p in groups["silent"]}

    def silent_sent() -> list[dict[str, Any]] | None:
        waiting = flow.recipients(client, campaign_id, "sent")
        return waiting if {r["contact"] for r in waiting} >= silent else None

    flow.wait_for("the silent patients' messages to be sent", silent_sent, 30, every=0.1)
    entries = {e["mobile"]: e for e in flow.handsets(stack)}
    control, *targets = sorted(silent)
    genuine = receipt_token(stack.webhook_secret, flow.ORG)
    response = post_receipt(
        stack, {"org": flow.ORG, "token": genuine}, receipt_form(entries[control], "0")
    )
    assert response.status_code == 200, response.text
    wrong = {
        "zero token": {"org": flow.ORG, "token": "0" * 64},
        "another org's token": {
            "org": flow.ORG,
            "token": receipt_token(stack.webhook_secret, "B82002"),
        },
        "another secret": {"org": flow.ORG, "token": receipt_token("not-the-secret", flow.ORG)},
        "token for another org": {"org": "B82002", "token": genuine},
        "no token": {"org": flow.ORG},
    }
    forged = {
        mobile: [
            (what, post_receipt(stack, params, receipt_form(entries[mobile], "0")).status_code)
            for what, params in wrong.items()
        ]
        for mobile in targets
    }
    status_now = {r["contact"]: r["status"] for r in flow.recipients(client, campaign_id)}
    flow.wait_for(
        "every recipient to settle", lambda: flow.settled(client, campaign_id), seconds=60
    )
    kind_of = {p.nhs_number: kind for kind, group in groups.items() for p in group}
    forged_while = {m: status_now[m] for m in targets}
    return Sent(campaign_id, kind_of, everyone, control, forged, forged_while, entries)


def utc(text: str) -> datetime:
    # Campaign's in-process MongoDB stand-in gives back times without their UTC offset.
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def post_receipt(stack: Stack, params: dict[str, str], form: dict[str, str]) -> httpx2.Response:
    url = f"{stack.url('gateway')}/v1/webhooks/firetext/receipts"
    return httpx2.post(url, params=params, data=form, timeout=10)


def test_every_outcome_settles_with_its_reason(stack: Stack, sent: Sent) -> None:
    client = flow.api(stack)
    recipients = flow.recipients(client, sent.campaign_id)
    by_nhs = {r["nhs_number"]: r for r in recipients}
    assert len(recipients) == 60
    expected = {
        "delivered": ("delivered", None, None),
        "unknown": ("failed", "UNKNOWN_SUBSCRIBER", FAILURES["101"].reason),
        "temporary": ("failed", "PHONE_NOT_REACHABLE", FAILURES["102"].reason),
        "silent": ("failed", "NO_RECEIPT", NO_RECEIPT_REASON),
    }
    outcomes = {n: (r["status"], r["reason_code"], r["reason"]) for n, r in by_nhs.items()}
    wanted = {
        n: expected["delivered" if by_nhs[n]["contact"] == sent.control else kind]
        for n, kind in sent.kind_of.items()
    }
    assert outcomes == wanted
    for r in recipients:
        if r["reason_code"] == "NO_RECEIPT":
            # Not before the timeout, and soon after it (the sweep runs every second).
            accepted = datetime.fromisoformat(sent.entries[r["contact"]]["accepted_at"])
            waited = (utc(r["updated_at"]) - accepted).total_seconds()
            assert RECEIPT_TIMEOUT_S <= waited < RECEIPT_TIMEOUT_S + 5, waited
    summary = Counter((r["status"], r["reason_code"]) for r in recipients)
    print(f"\n[outcomes] {dict(summary)}")  # noqa: T201

    # Firetext was asked once per patient, and gave the outcomes the simulator was told to.
    handsets = flow.handsets(stack)
    assert Counter(e["mobile"] for e in handsets) == Counter(p.mobile for p in sent.everyone)
    assert Counter((e["status"], e["code"]) for e in handsets) == {
        ("delivered", "000"): 15,
        ("declined", "101"): 15,
        ("declined", "102"): 15,
        ("pending", "000"): 15,
    }

    overview = flow.wait_for(
        "the campaign to complete",
        lambda: (
            c if (c := flow.campaign(client, sent.campaign_id))["status"] == "completed" else None
        ),
        seconds=10,
    )
    counts = overview["counts"]
    assert (counts["delivered"], counts["failed"], counts["sent"], counts["queued"]) == (
        16,
        44,
        0,
        0,
    )

    failed = flow.recipients(client, sent.campaign_id, status="failed", page_size=7)
    assert len({r["id"] for r in failed}) == len(failed) == 44
    assert {r["nhs_number"] for r in failed} == {
        n for n, r in by_nhs.items() if r["status"] == "failed"
    }
    assert all(r["reason"] and r["reason_code"] for r in failed)

    rows = flow.recipients_csv(client, sent.campaign_id)
    assert {r["nhs_number"]: (r["status"], r["reason_code"], r["reason"]) for r in rows} == {
        n: (r["status"], r["reason_code"] or "", r["reason"] or "") for n, r in by_nhs.items()
    }

    actions = flow.audit_actions(client, sent.campaign_id)
    milestones = ["created", "list_uploaded", "message_composed", "sent"]
    assert [a for a in actions if a in milestones] == milestones, actions


def test_a_forged_receipt_is_refused_and_changes_nothing(stack: Stack, sent: Sent) -> None:
    expected = [
        ("zero token", 403),
        ("another org's token", 403),
        ("another secret", 403),
        ("token for another org", 403),
        ("no token", 401),
    ]
    assert len(sent.forged) == 14
    assert all(codes == expected for codes in sent.forged.values()), sent.forged
    # They were awaiting a receipt when the forgeries came, and ended as if none had come.
    assert set(sent.forged_while.values()) == {"sent"}
    by_contact = {r["contact"]: r for r in flow.recipients(flow.api(stack), sent.campaign_id)}
    for mobile in sent.forged:
        assert (by_contact[mobile]["status"], by_contact[mobile]["reason_code"]) == (
            "failed",
            "NO_RECEIPT",
        )
    # The control shows the same receipt with the right token is taken.
    assert by_contact[sent.control]["status"] == "delivered"


def test_a_replayed_receipt_changes_nothing(stack: Stack, sent: Sent) -> None:
    client = flow.api(stack)
    before = snapshot(client, sent.campaign_id)
    counts = flow.campaign(client, sent.campaign_id)["counts"]
    # One final receipt of each kind, as Firetext sent it: delivered (in a shared request),
    # declined 101, and the declined 102 that followed a pending one.
    entries = flow.handsets(stack)
    replays = [
        next(e for e in entries if e["status"] == "delivered" and e["reference"].startswith("g-")),
        next(e for e in entries if e["code"] == "101"),
        next(e for e in entries if e["code"] == "102"),
    ]
    unchanged = flow.log_lines(stack, "campaign", "receipt changed nothing")
    genuine = {"org": flow.ORG, "token": receipt_token(stack.webhook_secret, flow.ORG)}
    for entry in replays:
        form = receipt_form(entry, STATUS_NUMBER[entry["status"]])
        for _ in range(2):
            response = post_receipt(stack, genuine, form)
            assert response.status_code == 200, response.text

    # Campaign logs (by recipient id) each receipt that changed nothing: all six got that far.
    flow.wait_for(
        "campaign to process the replayed receipts",
        lambda: flow.log_lines(stack, "campaign", "receipt changed nothing") >= unchanged + 6,
        seconds=20,
    )
    assert snapshot(client, sent.campaign_id) == before
    assert flow.campaign(client, sent.campaign_id)["counts"] == counts


def test_the_patients_it_did_not_reach_can_be_sent_it_again(stack: Stack, sent: Sent) -> None:
    """Only the temporary failures (phone off: 102) are taken, never the unknown number (101)
    nor the silent ones (no receipt: the message may have arrived); their rows go through
    ingest and PDS again; each is taken once; the new campaign sends each of them one more
    text and nobody else anything."""
    client = flow.api(stack)
    again_url = f"/v1/campaigns/{sent.campaign_id}/send-again"
    temporary = {n for n, kind in sent.kind_of.items() if kind == "temporary"}
    summary = client.get(again_url).json()
    assert (summary["patients"], summary["cannot_because"]) == (15, None), summary
    assert summary["by_reason"] == [{"reason_code": "PHONE_NOT_REACHABLE", "count": 15}]

    response = client.post(again_url, json={"name": "Outcomes: send again"})
    assert response.status_code == 201, response.text
    new = response.json()
    assert (new["status"], new["follows_up"]) == ("draft", sent.campaign_id)
    assert new["message"]["body"] == BODY
    lists = client.get(f"/v1/campaigns/{new['id']}/patient-lists").json()["items"]
    assert [(li["channel"], li["total_rows"]) for li in lists] == [("sms", 15)]
    url = f"/v1/campaigns/{new['id']}/patient-lists/{lists[0]['id']}"
    progress = flow.resolved_list(client, url)
    assert (progress["succeeded"], progress["failed"]) == (15, 0), progress
    assert {r["nhs_number"] for r in flow.recipients(client, new["id"])} == temporary

    # Taken once: nobody is left for another send-again of the first campaign.
    refused = client.post(again_url, json={"name": "Once more"})
    assert refused.status_code == 409, refused.text
    assert client.get(again_url).json()["patients"] == 0

    before = Counter(e["mobile"] for e in flow.handsets(stack))
    assert flow.review(client, new["id"])["recipient_count"] == 15
    assert flow.send(client, new["id"], 15).status_code == 202
    flow.wait_for("the send-again to settle", lambda: flow.settled(client, new["id"]), 60)
    after = Counter(e["mobile"] for e in flow.handsets(stack))
    mobiles = {p.mobile for p in sent.everyone if p.nhs_number in temporary}
    assert after - before == Counter(mobiles)


def test_a_number_that_failed_for_good_is_not_texted_again(stack: Stack, sent: Sent) -> None:
    """The same patients in a new campaign: those whose number the network did not know (101)
    fail at upload as NUMBER_FAILED_BEFORE; the phone that was off (102), the silent and the
    delivered ones are in."""
    client = flow.api(stack)
    campaign_id = flow.create(client, "Outcomes: the same patients")
    rows = [(p.nhs_number, p.birth_date) for p in sent.everyone]
    progress = flow.upload(client, campaign_id, rows)
    assert (progress["succeeded"], progress["failed"]) == (45, 15), progress
    assert [(r["reason_code"], r["count"]) for r in progress["failed_by_reason"]] == [
        ("NUMBER_FAILED_BEFORE", 15)
    ]
    unknown = {n for n, kind in sent.kind_of.items() if kind == "unknown"}
    texted = {r["nhs_number"] for r in flow.recipients(client, campaign_id)}
    assert texted == {p.nhs_number for p in sent.everyone} - unknown
