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


RESOLVE_ROWS = Route("ingest.resolve_rows", COMMANDS_EXCHANGE, "ingest.resolve-rows", "ingest")
ROWS_RESOLVED = Route("ingest.rows_resolved", EVENTS_EXCHANGE, "campaign.rows-resolved", "campaign")
CAMPAIGN_REQUESTS = Route("campaign.request", COMMANDS_EXCHANGE, "campaign.requests", "campaign")
SEND_MESSAGES = Route(
    "dispatch.send_messages", COMMANDS_EXCHANGE, "dispatch.send-messages", "dispatch"
)
MESSAGES_SENT = Route(
    "dispatch.messages_sent", EVENTS_EXCHANGE, "campaign.messages-sent", "campaign"
)
FIRETEXT_RECEIPTS = Route(
    "dispatch.firetext_receipt", COMMANDS_EXCHANGE, "dispatch.firetext-receipts", "dispatch"
)
DELIVERY_REPORTED = Route(
    "dispatch.delivery_reported", EVENTS_EXCHANGE, "campaign.delivery-reported", "campaign"
)

DISPATCH_REQUESTS = Route("dispatch.request", COMMANDS_EXCHANGE, "dispatch.requests", "dispatch")
FIRETEXT_INBOUND = Route(
    "dispatch.firetext_inbound", COMMANDS_EXCHANGE, "dispatch.firetext-inbound", "dispatch"
)
REPLY_RECEIVED = Route("dispatch.reply_received", EVENTS_EXCHANGE, "campaign.replies", "campaign")
#: The documented key for save-to-record: ``RecordEntryRequested`` events, consumed by the record
#: service. The queue keeps the name it had before that service existed ("ehr."), so entries
#: already waiting in a deployment are consumed rather than stranded.
RECORD_ENTRIES = Route("campaign.record_entry", EVENTS_EXCHANGE, "ehr.record-entries", "record")
#: Every step of a record entry (``RecordStatusChanged``), for campaign to show per recipient.
RECORD_STATUS = Route(
    "record.status_changed", EVENTS_EXCHANGE, "campaign.record-status", "campaign"
)

#: Re-checking recipients against PDS at release when their list was resolved long before.
RECHECK_PATIENTS = Route(
    "ingest.recheck_patients", COMMANDS_EXCHANGE, "ingest.recheck-patients", "ingest"
)
PATIENTS_RECHECKED = Route(
    "ingest.patients_rechecked", EVENTS_EXCHANGE, "campaign.patients-rechecked", "campaign"
)

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
