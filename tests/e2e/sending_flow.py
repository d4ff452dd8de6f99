"""What the sending tests share: synthetic patients chosen so each test knows exactly what every
handset gets, a campaign taken from creation to send through the HTTP API, and reads of the
recipients and of the Firetext simulator."""

import csv
import io
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import httpx2

from cohort_platform.webhooks import receipt_token
from cohort_testing.nhs_numbers import numbers_starting
from gateway.adapters.token_verifiers import issue_token
from pds_sim.synthetic import synthetic_patient

from .stack import Stack

ORG = "A81001"
T = TypeVar("T")

#: Recipients in these statuses are still with dispatch or awaiting a receipt.
IN_FLIGHT = ("ready", "queued", "sending", "sent")


@dataclass(frozen=True)
class Patient:
    nhs_number: str
    birth_date: date
    given: str
    family: str
    #: As campaign keeps it: ``447…`` digits.
    mobile: str
    email: str


def synthetic(nhs_number: str) -> Patient:
    record = synthetic_patient(nhs_number)
    name = record["name"][0]
    telecom = {t["system"]: t["value"] for t in record["telecom"]}
    return Patient(
        nhs_number=nhs_number,
        birth_date=date.fromisoformat(str(record["birthDate"])),
        given=name["given"][0],
        family=name["family"],
        mobile="44" + telecom["phone"][1:],
        email=telecom["email"],
    )


def by_mobile(patient: Patient) -> object:
    return patient.mobile


def synthetic_patients(prefix: str = "999") -> Iterator[Patient]:
    """Every synthetic patient whose NHS number starts ``prefix``, in number order."""
    for number in numbers_starting(prefix):
        yield synthetic(number)


def pick(
    count: int,
    prefix: str = "999",
    *,
    distinct: Sequence[Callable[[Patient], object]] = (by_mobile,),
    accept: Callable[[Patient], bool] = lambda p: True,
) -> list[Patient]:
    """``count`` synthetic patients that differ in each of ``distinct`` (by default their
    mobiles: the simulator has only 1,000 of them, so without this some would share a handset)."""
    chosen: list[Patient] = []
    seen: list[set[object]] = [set() for _ in distinct]
    for patient in synthetic_patients(prefix):
        keys = [key(patient) for key in distinct]
        if accept(patient) and all(k not in s for k, s in zip(keys, seen, strict=True)):
            for k, s in zip(keys, seen, strict=True):
                s.add(k)
            chosen.append(patient)
            if len(chosen) == count:
                return chosen
    raise AssertionError(f"only {len(chosen)} synthetic patients under {prefix} fit")


def list_csv(rows: Iterable[tuple[str, date]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NHS Number", "Date of Birth"])
    for nhs_number, born in rows:
        writer.writerow([nhs_number, born.strftime("%d/%m/%Y")])
    return out.getvalue().encode()


def api(
    stack: Stack,
    org: str = ORG,
    user: str = "e2e-sender",
    lifetime: timedelta | None = None,
    name: str | None = None,
) -> httpx2.Client:
    """The public API as a member of staff of ``org`` (the gateway of the stack's first
    instance); ``name`` the token's ``name`` claim, as an identity provider gives it."""
    token = issue_token(stack.jwt_secret, user, org, *([lifetime] if lifetime else []), name=name)
    return httpx2.Client(
        base_url=stack.url("gateway"), headers={"Authorization": f"Bearer {token}"}, timeout=30.0
    )


def wait_for(
    what: str, probe: Callable[[], T | None], seconds: float = 120.0, every: float = 0.3
) -> T:
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds}s waiting for {what}")
        time.sleep(every)


def create(client: httpx2.Client, name: str, **settings: Any) -> str:
    response = client.post("/v1/campaigns", json={"name": name, "type": "basic", **settings})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def post_list(
    client: httpx2.Client,
    campaign_id: str,
    content: bytes,
    channel: str = "sms",
    filename: str = "list.csv",
) -> str:
    """Upload a CSV list; returns its URL (the response's ``Location``), where its progress is."""
    response = client.post(
        f"/v1/campaigns/{campaign_id}/patient-lists",
        files={"file": (filename, content, "text/csv")},
        data={"channel": channel},
    )
    assert response.status_code == 202, response.text
    return str(response.headers["location"])


def resolved_list(client: httpx2.Client, url: str, seconds: float = 90.0) -> dict[str, Any]:
    """The list at ``url`` once every row has resolved (read through ``client``: any gateway
    instance answers for any list); returns its progress."""

    def resolved() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(url).json()
        return body if body["status"] == "complete" else None

    return wait_for("the list to resolve", resolved, seconds)


def upload(
    client: httpx2.Client,
    campaign_id: str,
    rows: Iterable[tuple[str, date]],
    channel: str = "sms",
    seconds: float = 90.0,
) -> dict[str, Any]:
    """Upload a list and wait for every row to resolve; returns the list's progress."""
    url = post_list(client, campaign_id, list_csv(rows), channel)
    return resolved_list(client, url, seconds)


def compose(client: httpx2.Client, campaign_id: str, body: str, subject: str | None = None) -> None:
    message: dict[str, str] = {"body": body}
    if subject is not None:
        message["subject"] = subject
    response = client.put(f"/v1/campaigns/{campaign_id}/message", json=message)
    assert response.status_code == 200, response.text


def review(client: httpx2.Client, campaign_id: str) -> dict[str, Any]:
    response = client.get(f"/v1/campaigns/{campaign_id}/review")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def send(client: httpx2.Client, campaign_id: str, count: int) -> httpx2.Response:
    return client.post(f"/v1/campaigns/{campaign_id}/send", json={"confirm_recipient_count": count})


def approve(client: httpx2.Client, campaign_id: str, count: int) -> httpx2.Response:
    body = {"confirm_recipient_count": count}
    return client.post(f"/v1/campaigns/{campaign_id}/approve", json=body)


def campaign(client: httpx2.Client, campaign_id: str) -> dict[str, Any]:
    body: dict[str, Any] = client.get(f"/v1/campaigns/{campaign_id}").json()
    return body


def recipients(
    client: httpx2.Client, campaign_id: str, status: str | None = None, page_size: int = 500
) -> list[dict[str, Any]]:
    """Every recipient (in ``status``), page by page. Unfiltered, the pages must add up to the
    total; filtered by a status that recipients are still moving into or out of, the count and
    the page are two reads of a changing set, so only the unfiltered check is exact."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        params: dict[str, Any] = {"page": page, "page_size": page_size}
        if status is not None:
            params["status"] = status
        response = client.get(f"/v1/campaigns/{campaign_id}/recipients", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= page_size
        items += body["items"]
        if not body["items"] or len(items) >= body["total"]:
            if status is None:
                assert len(items) == body["total"], (len(items), body["total"])
            return items
        page += 1


def settled(client: httpx2.Client, campaign_id: str) -> list[dict[str, Any]] | None:
    """The recipients once none is in flight, else None (a probe for ``wait_for``)."""
    everyone = recipients(client, campaign_id)
    return None if any(r["status"] in IN_FLIGHT for r in everyone) else everyone


def recipients_csv(client: httpx2.Client, campaign_id: str) -> list[dict[str, str]]:
    response = client.get(f"/v1/campaigns/{campaign_id}/recipients.csv")
    assert response.status_code == 200, response.text
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def audit_actions(client: httpx2.Client, campaign_id: str) -> list[str]:
    response = client.get(f"/v1/campaigns/{campaign_id}/audit")
    assert response.status_code == 200, response.text
    return [entry["action"] for entry in response.json()["entries"]]


def handsets(stack: Stack, **params: str) -> list[dict[str, Any]]:
    """What the Firetext simulator accepted: one entry per recipient number per request."""
    response = httpx2.get(f"{stack.url('firetext')}/_sim/messages", params=params, timeout=30.0)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def text_from(
    stack: Stack, patient: Patient, text: str, token: str | None = None
) -> httpx2.Response:
    """Firetext forwarding a text from ``patient``'s phone (written 07…) to the gateway's inbound
    webhook for ``ORG``, with ``token`` (by default the right one) in the URL."""
    inbound = f"{stack.url('gateway')}/v1/webhooks/firetext/inbound"
    token = receipt_token(stack.webhook_secret, ORG) if token is None else token
    return httpx2.post(
        f"{stack.url('firetext')}/_sim/inbound",
        json={
            "url": f"{inbound}?org={ORG}&token={token}",
            "source": "0" + patient.mobile[2:],
            "destination": "447860000001",
            "message": text,
        },
        timeout=10,
    )


def set_credit(stack: Stack, credit: int) -> None:
    response = httpx2.post(
        f"{stack.url('firetext')}/_sim/credit", json={"credit": credit}, timeout=10.0
    )
    assert response.status_code == 200, response.text


def log_lines(stack: Stack, service: str, text: str) -> int:
    """How many lines of ``service``'s log mention ``text`` (logs carry ids, never patient data)."""
    log = (stack.log_dir / f"{service}.log").read_text(errors="replace")
    return sum(text in line for line in log.splitlines())
