"""Re-check before sending, through every service: with CAMPAIGN_RECHECK_AFTER_H=0 each recipient
is checked with PDS again (campaign → ingest → PDS simulator) as it is released. What PDS says
is changed between the upload and the send: the patient who died since, and the one who asked for
no telephone contact since, are excluded with the reason; the one who changed number is sent to
the new number, and nothing reaches the old one."""

import copy
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx2
import pytest

from . import sending_flow as flow
from .own_stack import run_stack
from .stack import Stack

pytestmark = pytest.mark.e2e

#: PDS simulator fixture patients (simulators/pds/README.md).
BENNETT = ("9999012221", date(1984, 7, 12))  # will have died
RAHMAN = ("9999013333", date(1991, 11, 3))  # will have a new mobile
ONEILL = ("9999014445", date(1957, 2, 28))  # will ask for no telephone contact
KOWALSKI = ("9999024440", date(2001, 10, 5))  # unchanged
RAHMAN_OLD, RAHMAN_NEW = "447700900234", "447700900777"
NO_TELEPHONE = {
    "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactPreference",
    "extension": [
        {
            "url": "PreferredContactMethod",
            "valueCodeableConcept": {
                "coding": [
                    {
                        "system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod",
                        "code": "8",
                        "display": "No Telephone contact",
                    }
                ]
            },
        }
    ],
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = {"CAMPAIGN_RECHECK_AFTER_H": "0"}
    yield from run_stack(tmp_path_factory, env)


def change_pds(stack: Stack, nhs_number: str, change: Any) -> None:
    base = f"{stack.url('pds')}/personal-demographics/FHIR/R4/Patient/{nhs_number}"
    headers = {"X-Request-ID": str(uuid.uuid4())}
    patient = httpx2.get(base, headers=headers, timeout=10).json()
    patient = change(copy.deepcopy(patient))
    put = httpx2.put(f"{stack.url('pds')}/_sim/patients/{nhs_number}", json=patient, timeout=10)
    assert put.status_code == 204, put.text


def died(patient: dict[str, Any]) -> dict[str, Any]:
    return patient | {"deceasedDateTime": "2026-12-01T08:00:00+00:00"}


def new_mobile(patient: dict[str, Any]) -> dict[str, Any]:
    for entry in patient["telecom"]:
        if entry.get("use") == "mobile":
            entry["value"] = "07700900777"
    return patient


def no_telephone(patient: dict[str, Any]) -> dict[str, Any]:
    return patient | {"extension": [*patient.get("extension", []), NO_TELEPHONE]}


def test_each_recipient_is_checked_with_pds_again_as_it_is_sent(stack: Stack) -> None:
    client = flow.api(stack)
    campaign_id = flow.create(client, "Re-checked")
    progress = flow.upload(client, campaign_id, [BENNETT, RAHMAN, ONEILL, KOWALSKI])
    assert progress["succeeded"] == 4
    flow.compose(client, campaign_id, "Hello ((first_name)), your review is due.")
    assert flow.review(client, campaign_id)["recipient_count"] == 4

    change_pds(stack, BENNETT[0], died)
    change_pds(stack, RAHMAN[0], new_mobile)
    change_pds(stack, ONEILL[0], no_telephone)
    assert flow.send(client, campaign_id, 4).status_code == 202

    everyone = flow.wait_for(
        "every recipient to settle", lambda: flow.settled(client, campaign_id), seconds=40
    )
    outcome = {r["nhs_number"]: (r["status"], r["reason_code"], r["contact"]) for r in everyone}
    assert outcome[BENNETT[0]][:2] == ("failed", "DECEASED")
    assert outcome[ONEILL[0]][:2] == ("failed", "NO_TELEPHONE_CONTACT")
    assert outcome[RAHMAN[0]] == ("delivered", None, RAHMAN_NEW)
    assert outcome[KOWALSKI[0]][:2] == ("delivered", None)
    # The handsets: the new number got the message, the old one and the excluded got nothing.
    assert len(flow.handsets(stack, to=RAHMAN_NEW)) == 1
    assert flow.handsets(stack, to=RAHMAN_OLD) == []
    assert flow.handsets(stack, to="447700900123") == []  # Bennett's mobile
    assert flow.handsets(stack, to="447700900345") == []  # O'Neill's mobile
    assert len(flow.handsets(stack)) == 2
