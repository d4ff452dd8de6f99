"""Every exchange, routing key and queue name, and which service consumes each key.

Names are relative: a deployment (or a test run) puts them under its namespace, e.g.
``cohort.commands``, so two deployments can share a broker without seeing each other."""

from dataclasses import dataclass
from typing import Literal

Service = Literal["gateway", "ingest", "campaign", "dispatch", "record"]

COMMANDS_EXCHANGE = "commands"
EVENTS_EXCHANGE = "events"
DEAD_LETTER_EXCHANGE = "dlx"


@dataclass(frozen=True)
class Route:
    """A routing key, the exchange it is published to, and the one durable queue that holds it."""

    routing_key: str
    exchange: str
    queue: str
    consumer: Service


def _command(routing_key: str, queue: str, consumer: Service) -> Route:
    """A command: addressed to ``consumer``, published to the commands exchange."""
    return Route(routing_key, COMMANDS_EXCHANGE, queue, consumer)


def _event(routing_key: str, queue: str, consumer: Service) -> Route:
    """An event: published to the events exchange, where ``consumer`` listens for it."""
    return Route(routing_key, EVENTS_EXCHANGE, queue, consumer)


RESOLVE_ROWS = _command("ingest.resolve_rows", "ingest.resolve-rows", "ingest")
ROWS_RESOLVED = _event("ingest.rows_resolved", "campaign.rows-resolved", "campaign")
CAMPAIGN_REQUESTS = _command("campaign.request", "campaign.requests", "campaign")
SEND_MESSAGES = _command("dispatch.send_messages", "dispatch.send-messages", "dispatch")
MESSAGES_SENT = _event("dispatch.messages_sent", "campaign.messages-sent", "campaign")
FIRETEXT_RECEIPTS = _command("dispatch.firetext_receipt", "dispatch.firetext-receipts", "dispatch")
DELIVERY_REPORTED = _event("dispatch.delivery_reported", "campaign.delivery-reported", "campaign")

DISPATCH_REQUESTS = _command("dispatch.request", "dispatch.requests", "dispatch")
FIRETEXT_INBOUND = _command("dispatch.firetext_inbound", "dispatch.firetext-inbound", "dispatch")
REPLY_RECEIVED = _event("dispatch.reply_received", "campaign.replies", "campaign")
#: The documented key for save-to-record: ``RecordEntryRequested`` events, consumed by the record
#: service. The queue keeps the name it had before that service existed ("ehr."), so entries
#: already waiting in a deployment are consumed rather than stranded.
RECORD_ENTRIES = _event("campaign.record_entry", "ehr.record-entries", "record")
#: Every step of a record entry (``RecordStatusChanged``), for campaign to show per recipient.
RECORD_STATUS = _event("record.status_changed", "campaign.record-status", "campaign")

#: Re-checking recipients against PDS at release when their list was resolved long before.
RECHECK_PATIENTS = _command("ingest.recheck_patients", "ingest.recheck-patients", "ingest")
PATIENTS_RECHECKED = _event("ingest.patients_rechecked", "campaign.patients-rechecked", "campaign")

ALL_ROUTES: tuple[Route, ...] = (
    RESOLVE_ROWS,
    ROWS_RESOLVED,
    RECHECK_PATIENTS,
    PATIENTS_RECHECKED,
    CAMPAIGN_REQUESTS,
    SEND_MESSAGES,
    MESSAGES_SENT,
    FIRETEXT_RECEIPTS,
    DELIVERY_REPORTED,
    DISPATCH_REQUESTS,
    FIRETEXT_INBOUND,
    REPLY_RECEIVED,
    RECORD_ENTRIES,
    RECORD_STATUS,
)
