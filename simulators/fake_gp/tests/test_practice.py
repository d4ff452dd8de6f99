"""A practice mailbox against a MESH client in memory: what it answers, in what order, to whom,
and what it records."""

import json
import threading
import time

import pytest

from fake_gp.practice import Practice, wait_for_mesh

from .builders import HEADER_ID, TEXT, answered, encode, resource, send_document
from .fakes import FakeMesh, FakeMessage

ACK_WORKFLOW = "GPCONNECT_SEND_DOCUMENT_ACK"
BEHAVIOURS = {
    "1": "not_registered",
    "2": "rejected",
    "3": "silent",
    "4": "uncollected",
}


def practice(mesh: FakeMesh, behaviours: dict[str, str] | None = None) -> Practice:
    return Practice(
        "A81001GP1",
        mesh,
        BEHAVIOURS if behaviours is None else behaviours,
        "filed",
        ACK_WORKFLOW,
    )


def document(
    nhs_number: str,
    reference: str = "entry-1",
    sender: str = "X26COHORT1",
    workflow_id: str = "GPCONNECT_SEND_DOCUMENT",
) -> FakeMessage:
    """A Send Document message as MESH delivers it, its local id the sender's reference."""
    body = encode(send_document(nhs_number=nhs_number, sender_reference=reference))
    return FakeMessage(body, sender=sender, local_id=reference, workflow_id=workflow_id)


def failed_first_poll(mesh: FakeMesh) -> Practice:
    """A practice whose first poll, of one document, failed sending an answer (``mesh`` set to
    fail a send): what it kept then is what a retry starts from."""
    mesh.deliver("M1", document("9434765910", "entry-1"))
    gp = practice(mesh)
    with pytest.raises(ConnectionError):
        gp.poll_once()
    return gp


def codes(mesh: FakeMesh) -> list[str]:
    return [answered(s.data)[0] for s in mesh.sent]


def test_filed_sends_20013_then_30001_to_the_sender_then_acknowledges() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765910", "entry-1", sender="X26COHORT1"))

    assert practice(mesh).poll_once() == 1

    assert [answered(s.data) for s in mesh.sent] == [
        ("20013", "entry-1", HEADER_ID),
        ("30001", "entry-1", HEADER_ID),
    ]
    assert all(s.recipient == "X26COHORT1" for s in mesh.sent)
    assert all(s.options["workflow_id"] == ACK_WORKFLOW for s in mesh.sent)
    assert all(s.options["content_type"] == "application/fhir+json" for s in mesh.sent)
    assert mesh.calls == ["send ack-20013-entry-1", "send ack-30001-entry-1", "ack M1"]
    assert mesh.inbox == {}


def test_the_answers_come_from_the_practice_mailbox() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765910"))

    practice(mesh).poll_once()

    for sent in mesh.sent:
        header = resource(json.loads(sent.data), "MessageHeader")
        assert header["source"]["endpoint"] == "A81001GP1"


@pytest.mark.parametrize(
    ("nhs_number", "behaviour", "expected"),
    [
        ("9434765911", "not_registered", ["20013", "30002"]),
        ("9434765912", "rejected", ["20009"]),
        ("9434765913", "silent", []),
    ],
)
def test_each_behaviour_answers_with_its_codes_and_acknowledges(
    nhs_number: str, behaviour: str, expected: list[str]
) -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document(nhs_number))
    gp = practice(mesh)

    gp.poll_once()

    assert codes(mesh) == expected
    assert mesh.calls[-1] == "ack M1"
    assert mesh.acknowledged == ["M1"]
    [received] = gp.snapshot()
    assert (received.behaviour, received.valid, received.problem) == (behaviour, True, None)


def test_uncollected_neither_answers_nor_acknowledges_and_is_handled_once() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765914"))
    gp = practice(mesh)

    assert gp.poll_once() == 1
    assert gp.poll_once() == 0

    assert (mesh.sent, mesh.acknowledged) == ([], [])
    assert list(mesh.inbox) == ["M1"]  # MESH still shows it waiting
    assert mesh.retrieved == ["M1"]
    [received] = gp.snapshot()
    assert (received.behaviour, received.valid) == ("uncollected", True)


def test_behaviour_is_chosen_by_the_nhs_numbers_last_digit_else_the_default() -> None:
    mesh = FakeMesh()
    for digit in "0123456789":
        mesh.deliver(f"M{digit}", document(f"943476591{digit}", f"entry-{digit}"))
    gp = practice(mesh)

    assert gp.poll_once() == 10

    by_reference: dict[str, list[str]] = {}
    for sent in mesh.sent:
        code, reference, _ = answered(sent.data)
        by_reference.setdefault(reference, []).append(code)
    assert by_reference == {
        "entry-0": ["20013", "30001"],
        "entry-1": ["20013", "30002"],
        "entry-2": ["20009"],
        **{f"entry-{d}": ["20013", "30001"] for d in "56789"},
    }
    assert [r.behaviour for r in gp.snapshot()] == [
        "filed",
        "not_registered",
        "rejected",
        "silent",
        "uncollected",
        *["filed"] * 5,
    ]


def test_behaviour_for() -> None:
    gp = practice(FakeMesh(), {"7": "silent"})

    assert gp.behaviour_for("9434765917") == "silent"
    assert gp.behaviour_for("9434765918") == "filed"
    assert gp.behaviour_for("") == "filed"
    assert gp.behaviour_for(None) == "filed"


def test_with_no_behaviours_every_document_is_filed() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765912"))

    practice(mesh, {}).poll_once()

    assert codes(mesh) == ["20013", "30001"]


def test_an_invalid_document_is_answered_20009_and_recorded_with_its_problem() -> None:
    message = send_document(nhs_number="9434765910")
    resource(resource(message, "Bundle"), "Composition")["status"] = "preliminary"
    mesh = FakeMesh()
    mesh.deliver("M1", FakeMessage(encode(message), sender="X26COHORT1", local_id="local-9"))
    gp = practice(mesh)

    assert gp.poll_once() == 1

    [sent] = mesh.sent
    assert sent.recipient == "X26COHORT1"
    assert sent.options["workflow_id"] == ACK_WORKFLOW
    # Nothing of the document is trusted: the answer refers to the MESH local id.
    assert answered(sent.data) == ("20009", "local-9", "")
    assert mesh.calls == ["send ack-20009-local-9", "ack M1"]
    [received] = gp.snapshot()
    assert received.valid is False
    assert received.problem == "Composition is not final"
    assert received.behaviour == "rejected"
    assert (received.sender_reference, received.nhs_number, received.pdf_text) == (None, None, "")


def test_a_body_that_is_no_json_object_is_refused_and_the_next_message_still_handled() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", FakeMessage(b"[]", local_id="local-1"))
    mesh.deliver("M2", document("9434765910", "entry-2"))
    gp = practice(mesh)

    assert gp.poll_once() == 2

    assert [(r.valid, r.problem) for r in gp.snapshot()] == [
        (False, "not a message Bundle"),
        (True, None),
    ]
    assert codes(mesh) == ["20009", "20013", "30001"]
    assert mesh.acknowledged == ["M1", "M2"]


def test_a_valid_document_is_recorded_with_its_message_details() -> None:
    mesh = FakeMesh()
    mesh.deliver(
        "M1",
        document(
            "9434765910",
            "entry-1",
            sender="X26COHORT1",
            workflow_id="GPCONNECT_SEND_DOCUMENT",
        ),
    )
    gp = practice(mesh)

    gp.poll_once()

    [received] = gp.snapshot()
    assert received.mesh_message_id == "M1"
    assert received.mailbox == "A81001GP1"
    assert received.sender == "X26COHORT1"
    assert received.local_id == "entry-1"
    assert received.workflow_id == "GPCONNECT_SEND_DOCUMENT"
    assert received.sender_reference == "entry-1"
    assert received.nhs_number == "9434765910"
    assert (received.behaviour, received.valid, received.problem) == ("filed", True, None)
    assert received.pdf_text == TEXT
    assert received.mex_headers == {"subject": "GP Connect"}
    assert mesh.retrieved == ["M1"]


def test_the_message_stream_is_closed_once_read() -> None:
    mesh = FakeMesh()
    message = document("9434765910")
    mesh.deliver("M1", message)

    practice(mesh).poll_once()

    assert message.closed


def test_a_message_whose_answer_failed_is_tried_again_and_recorded_once() -> None:
    mesh = FakeMesh(failing_sends=1)
    gp = failed_first_poll(mesh)
    assert (mesh.sent, mesh.acknowledged) == ([], [])
    assert list(mesh.inbox) == ["M1"]

    assert gp.poll_once() == 1

    assert codes(mesh) == ["20013", "30001"]
    assert mesh.acknowledged == ["M1"]
    assert mesh.retrieved == ["M1", "M1"]
    assert [r.mesh_message_id for r in gp.snapshot()] == ["M1"]
    assert gp.poll_once() == 0


def test_an_answer_already_sent_is_not_sent_again_when_the_next_one_failed() -> None:
    # 20013 went out, 30001 did not: the retry sends only 30001, as a GP system that keeps
    # what it has answered would.
    mesh = FakeMesh(sends_before_failing=1, failing_sends=1)
    gp = failed_first_poll(mesh)
    assert codes(mesh) == ["20013"]

    assert gp.poll_once() == 1
    assert codes(mesh) == ["20013", "30001"]
    assert mesh.acknowledged == ["M1"]


def test_poll_once_counts_the_messages_it_handled() -> None:
    mesh = FakeMesh()
    gp = practice(mesh)
    assert gp.poll_once() == 0

    mesh.deliver("M1", document("9434765910", "entry-1"))
    mesh.deliver("M2", document("9434765914", "entry-2"))  # uncollected: stays in the inbox
    assert gp.poll_once() == 2

    mesh.deliver("M3", document("9434765910", "entry-3"))
    assert gp.poll_once() == 1
    assert gp.poll_once() == 0
    assert [r.mesh_message_id for r in gp.snapshot()] == ["M1", "M2", "M3"]


def test_snapshot_is_a_copy() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765910"))
    gp = practice(mesh)
    gp.poll_once()

    gp.snapshot().clear()

    assert len(gp.snapshot()) == 1


def test_run_keeps_polling_after_a_failure_and_closes_the_client_when_stopped() -> None:
    mesh = FakeMesh(failing_sends=1)
    mesh.deliver("M1", document("9434765910"))
    gp = practice(mesh)
    stop = threading.Event()
    thread = threading.Thread(target=gp.run, args=(stop, 0.01))
    thread.start()
    try:
        deadline = time.monotonic() + 5
        while not mesh.acknowledged and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()
    assert mesh.acknowledged == ["M1"]
    assert codes(mesh) == ["20013", "30001"]
    assert mesh.closed


def test_run_stopped_before_it_starts_only_closes_the_client() -> None:
    mesh = FakeMesh()
    mesh.deliver("M1", document("9434765910"))
    stop = threading.Event()
    stop.set()

    practice(mesh).run(stop, 0.01)

    assert mesh.closed
    assert mesh.retrieved == []


def test_wait_for_mesh_retries_the_handshake_until_it_answers() -> None:
    mesh = FakeMesh(failing_handshakes=1)

    wait_for_mesh(mesh, seconds=5)

    assert mesh.handshakes == 2


def test_wait_for_mesh_gives_up_after_its_deadline() -> None:
    mesh = FakeMesh(failing_handshakes=100)

    with pytest.raises(ConnectionError):
        wait_for_mesh(mesh, seconds=0)
