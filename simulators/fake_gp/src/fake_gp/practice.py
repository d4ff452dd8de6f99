"""One practice mailbox: collect each document, check it, answer as configured, and keep a
record of what arrived (the test's count of documents in the practice mailbox)."""

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .itk import InvalidDocument, check_document, response_message

log = logging.getLogger("fake_gp")

ANSWERS = {
    "filed": ("20013", "30001"),
    "not_registered": ("20013", "30002"),
    "rejected": ("20009",),
    "silent": (),
    "uncollected": (),
}


def known_behaviour(name: str) -> str:
    if name not in ANSWERS:
        raise ValueError(f"unknown behaviour {name!r}: one of {', '.join(ANSWERS)}")
    return name


@dataclass
class Received:
    mesh_message_id: str
    mailbox: str
    sender: str | None
    local_id: str | None
    workflow_id: str | None
    sender_reference: str | None
    nhs_number: str | None
    behaviour: str
    valid: bool
    problem: str | None
    pdf_text: str
    mex_headers: dict[str, Any]


@dataclass
class Practice:
    mailbox: str
    #: A ``mesh_client.MeshClient`` (partly untyped), used on this practice's thread only.
    client: Any
    behaviours: dict[str, str]
    default: str
    ack_workflow_id: str
    received: list[Received] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    #: The codes already sent for each message: a retry after a failed answer sends the rest.
    answered: dict[str, set[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def behaviour_for(self, nhs_number: str | None) -> str:
        if not nhs_number:
            return self.default
        return self.behaviours.get(nhs_number[-1], self.default)

    def poll_once(self) -> int:
        handled = 0
        for message_id in self.client.list_messages(max_results=500):
            if message_id in self.seen:
                continue
            self.handle(message_id)
            handled += 1
        return handled

    def handle(self, message_id: str) -> None:
        message = self.client.retrieve_message(message_id)
        body = message.read()
        message.close()
        try:
            doc = check_document(body)
            behaviour, problem = self.behaviour_for(doc.nhs_number), None
        except InvalidDocument as exc:
            doc, behaviour, problem = None, "rejected", str(exc)
        entry = Received(
            mesh_message_id=message_id,
            mailbox=self.mailbox,
            sender=message.sender,
            local_id=message.local_id,
            workflow_id=message.workflow_id,
            sender_reference=None if doc is None else doc.sender_reference,
            nhs_number=None if doc is None else doc.nhs_number,
            behaviour=behaviour,
            valid=doc is not None,
            problem=problem,
            pdf_text="" if doc is None else doc.pdf_text,
            mex_headers=dict(message.mex_headers()),
        )
        with self.lock:
            # Counted once however often it is read (an answer that failed is tried again).
            if all(r.mesh_message_id != message_id for r in self.received):
                self.received.append(entry)
        if behaviour == "uncollected":
            self.seen.add(message_id)
            return  # read but never acknowledged: MESH still shows it waiting
        codes = ANSWERS.get(behaviour, ("20009",)) if doc is not None else ("20009",)
        reference = doc.sender_reference if doc is not None else (message.local_id or "")
        header_id = doc.header_id if doc is not None else ""
        # The ITK order: the infrastructure ack once received, the business ack once the
        # patient is matched and the document is in the practice's workflow.
        answered = self.answered.setdefault(message_id, set())
        for code in codes:
            if code in answered:
                continue
            self.client.send_message(
                message.sender,
                response_message(
                    sender_reference=reference,
                    header_id=header_id,
                    code=code,
                    source_mailbox=self.mailbox,
                ),
                workflow_id=self.ack_workflow_id,
                local_id=f"ack-{code}-{reference}",
                subject="ITK response",
                content_type="application/fhir+json",
            )
            answered.add(code)
        self.client.acknowledge_message(message_id)
        self.seen.add(message_id)
        del self.answered[message_id]

    def snapshot(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def run(self, stop: threading.Event, interval_s: float) -> None:
        """Polls until ``stop``; the client is used on this thread only."""
        while not stop.is_set():
            try:
                if self.poll_once() == 0:
                    stop.wait(interval_s)
            except Exception as exc:
                log.warning("poll failed: %s", type(exc).__name__)
                stop.wait(min(interval_s * 4, 5.0))
        self.client.close()


def wait_for_mesh(client: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.handshake()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
