"""A record service killed with SIGKILL while documents are going out, then started again, never
puts a second document into a practice mailbox.

On a real MongoDB (``MONGODB_URL``, else a testcontainers one where Docker runs) the entries
outlive the process: the claims of the dead one expire, the new one asks MESH before sending
anything it claims, and every delivered message still gets exactly one document. On the
in-process stand-in the killed process's entries die with it (it says so loudly when it starts):
entries it had already taken from RabbitMQ are lost, so the proof there is the weaker half,
never a second document, because every first send asks MESH first."""

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from record.domain.model import entry_id_for

from . import record_flow
from . import sending_flow as flow
from .own_stack import running
from .stack import Stack

pytestmark = pytest.mark.e2e

ENV = {"RECORD_CLAIM_S": "5", "RECORD_RETRY_DELAYS_S": "[1, 2, 4]"}


@pytest.fixture(params=["standin", "mongodb"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    env = dict(ENV)
    if request.param == "mongodb":
        env["MONGODB_URL"] = request.getfixturevalue("mongodb_url")
    configured = Stack(
        log_dir=Path(tmp_path_factory.mktemp("e2e-logs")), extra_env=env, with_record=True
    )
    configured.durable = request.param == "mongodb"  # type: ignore[attr-defined]
    with running(configured) as stack:
        yield stack


def stable(probe: Any, seconds: float) -> Any:
    """``probe()`` once it has not changed for ``seconds``."""
    last, since = probe(), time.monotonic()
    while time.monotonic() - since < seconds:
        time.sleep(0.5)
        now = probe()
        if now != last:
            last, since = now, time.monotonic()
    return last


def test_a_killed_record_service_never_sends_a_document_twice(stack: Stack) -> None:
    patients = flow.pick(300, "9993", accept=lambda p: p.mobile[-1] not in "13")
    client = flow.api(stack)
    campaign_id = flow.create(client, "Killed")
    flow.upload(client, campaign_id, [(p.nhs_number, p.birth_date) for p in patients])
    flow.compose(client, campaign_id, "Hello ((first_name)), your flu jab is due.")
    assert flow.send(client, campaign_id, len(patients)).status_code == 202

    flow.wait_for("documents to flow", lambda: len(record_flow.documents(stack)) >= 30, 120, 0.1)
    stack.kill("record")
    assert len(record_flow.documents(stack)) < len(patients)  # killed mid-run
    stack.respawn("record", "record")

    everyone = flow.wait_for(
        "every message settled", lambda: flow.settled(client, campaign_id), 120
    )
    per_reference = stable(lambda: record_flow.per_reference(stack), 10)
    assert set(per_reference.values()) == {1}  # never a second document
    delivered = {
        str(entry_id_for(uuid.UUID(campaign_id), r["id"]))
        for r in everyone
        if r["status"] == "delivered"
    }
    assert set(per_reference) <= delivered
    if getattr(stack, "durable", False):
        assert set(per_reference) == delivered  # and every delivered message got one
