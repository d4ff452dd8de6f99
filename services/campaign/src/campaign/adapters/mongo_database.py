"""Opens the MongoDB database: a real server at ``MONGODB_URL``, or the in-process stand-in.

The schema is designed for a real MongoDB 7 deployment: single-document atomic updates that
are conditional on the state they change (no transactions, so a standalone server or a replica
set both work), unique indexes for identity, aware UTC datetimes. The stand-in
(``cohort_standin``, a development dependency never installed in the deployed image) keeps data
in this process and must behave the same; it never shapes the schema."""

from pymongo import ASCENDING, DESCENDING

from cohort_mongo import Document, IndexSpec
from cohort_mongo import MongoHandle as SharedHandle

__all__ = ["INDEXES", "Document", "MongoHandle"]


ASC = ASCENDING

INDEXES: list[IndexSpec] = [
    # One recipient per patient per campaign (first occurrence wins through it); also the
    # lookup of a patient's holder when a row clashes.
    ("recipients", [("campaign_id", ASC), ("nhs_number", ASC)], {"unique": True}),
    # A campaign's recipients in one status, in list order: release (ready, limit 200), the
    # review's sums and its measuring of the unmeasured, the first recipient per channel,
    # recipients filtered by status, index probes for completion. (No index on the size key:
    # every status change would pay for it, and only a review reads by it.)
    (
        "recipients",
        [("campaign_id", ASC), ("status", ASC), ("list_id", ASC), ("row_number", ASC)],
        {},
    ),
    # Every recipient of a campaign in list order (the recipients page and CSV, unfiltered).
    ("recipients", [("campaign_id", ASC), ("list_id", ASC), ("row_number", ASC)], {}),
    # A release batch's recipients (republishing an orphaned batch).
    ("recipients", [("batch_id", ASC)], {}),
    # Expiry sweeps: sent with no receipt, claimed with no report, older than a cut-off.
    ("recipients", [("status", ASC), ("updated_at", ASC)], {}),
    # The save-to-record outbox: only pending entries are in this index, so it stays tiny.
    (
        "recipients",
        [("record_entry", ASC)],
        {"partialFilterExpression": {"record_entry": "pending"}},
    ),
    # The repeat guard: an organisation's released recipients by message and patient, within
    # a time window. Only released recipients carry message keys (partial, so it stays small).
    (
        "recipients",
        [("org_id", ASC), ("message_keys", ASC), ("nhs_number", ASC), ("released_at", ASC)],
        {"partialFilterExpression": {"message_keys": {"$exists": True}}},
    ),
    # Replies: the recipients an organisation messaged at a number.
    ("recipients", [("org_id", ASC), ("contact", ASC)], {}),
    # Receipts for a request shared by several numbers (provider reference + number).
    ("recipients", [("org_id", ASC), ("provider_reference", ASC), ("contact", ASC)], {}),
    # A list's rows in order: progress counts, the unsuccessful rows download.
    ("list_rows", [("list_id", ASC), ("row_number", ASC)], {}),
    # The row that holds a recipient (marking it a duplicate).
    ("list_rows", [("recipient_id", ASC)], {}),
    # Failed rows by reason across a campaign's lists (the review's exclusions).
    ("list_rows", [("campaign_id", ASC), ("reason_code", ASC)], {}),
    ("patient_lists", [("campaign_id", ASC)], {}),
    # Lists whose rows campaign hands to ingest itself (send-again) until all are handed out:
    # the sweep's work list (partial: other lists never carry the field).
    (
        "patient_lists",
        [("rows_pending_since", ASC)],
        {"partialFilterExpression": {"rows_pending_since": {"$exists": True}}},
    ),
    # The overview: an organisation's campaigns newest first, optionally by status (``_id``
    # last, as the overview sorts ties, so a page reads only itself).
    ("campaigns", [("org_id", ASC), ("created_at", DESCENDING), ("_id", ASC)], {}),
    ("campaigns", [("org_id", ASC), ("status", ASC), ("created_at", DESCENDING), ("_id", ASC)], {}),
    # The sweep's sending campaigns, and its scheduled ones whose time has come.
    ("campaigns", [("status", ASC)], {}),
    ("campaigns", [("status", ASC), ("send_at", ASC)], {}),
    ("release_batches", [("opened_at", ASC)], {}),
    ("audit", [("campaign_id", ASC), ("at", ASC), ("seq", ASC)], {}),
    ("templates", [("org_id", ASC), ("name", ASC)], {}),
    ("template_versions", [("template_id", ASC), ("request_id", ASC)], {}),
    ("early_receipts", [("org_id", ASC), ("reference", ASC)], {}),
    # Opt-outs: is any of these contacts on the organisation's list (every release batch, every
    # resolved batch), and the organisation's list newest first (staff's page).
    ("suppressions", [("org_id", ASC), ("key", ASC)], {"unique": True}),
    ("suppressions", [("org_id", ASC), ("active", ASC), ("updated_at", DESCENDING)], {}),
]

#: The patient's side of links (``mongo_patient.py``). ``link_access`` and
#: ``questionnaire_responses`` are keyed by recipient id, appointment attempts by recipient and
#: idempotency key, events by what they record: their ``_id`` makes each unique.
INDEXES += [
    # A recipient's active appointment (booking, rebooking, cancelling, staff's patient page).
    ("appointments", [("recipient_id", ASC), ("active", ASC)], {}),
    # A campaign's appointments by time (staff's list). ``_id`` last, as the list sorts ties:
    # so the index gives the order and a page reads only itself, not all to sort them.
    ("appointments", [("campaign_id", ASC), ("start", ASC), ("_id", ASC)], {}),
    # Booked counts per campaign: only active appointments are in it.
    (
        "appointments",
        [("campaign_id", ASC), ("active", ASC)],
        {"partialFilterExpression": {"active": True}},
    ),
    # A campaign's responses, oldest first (the export; ``_id`` last, as for appointments),
    # and counts per campaign.
    ("questionnaire_responses", [("campaign_id", ASC), ("authored", ASC), ("_id", ASC)], {}),
    # A recipient's activity in order (staff), and counts by campaign and action (overview).
    ("patient_events", [("recipient_id", ASC), ("at", ASC)], {}),
    ("patient_events", [("campaign_id", ASC), ("action", ASC)], {}),
]


class MongoHandle(SharedHandle):
    """Campaign's database, with its indexes."""

    INDEXES = INDEXES
    LOST_ON_EXIT = "All campaign data is lost when this process stops."
