import uuid
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from cohort_contracts import campaign_requests, ingest, sending
from cohort_contracts.campaign_requests import CampaignRequest, GetCampaign
from cohort_contracts.envelope import Message
from cohort_contracts.routing import ALL_ROUTES, RECORD_ENTRIES
from cohort_contracts.vocabulary import UPLOAD_REASON_TEXT, UploadReason


def test_routing_keys_and_queues_are_unique() -> None:
    assert len({r.routing_key for r in ALL_ROUTES}) == len(ALL_ROUTES)
    assert len({r.queue for r in ALL_ROUTES}) == len(ALL_ROUTES)


def test_every_queue_is_named_after_its_consumer() -> None:
    for route in ALL_ROUTES:
        if route is RECORD_ENTRIES:
            # Named before the record service existed; kept so queued entries are consumed.
            assert route.queue == "ehr.record-entries"
            continue
        assert route.queue.startswith(f"{route.consumer}."), route


def test_every_upload_reason_has_plain_english_text() -> None:
    assert set(UPLOAD_REASON_TEXT) == set(UploadReason)
    assert all(text.endswith(".") and len(text) > 20 for text in UPLOAD_REASON_TEXT.values())


def _messages() -> list[type[Message]]:
    found: list[type[Message]] = []
    for module in (ingest, sending, campaign_requests):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Message)
                and "kind" in value.model_fields
            ):
                found.append(value)
    return found


@pytest.mark.parametrize("model", _messages(), ids=lambda m: m.__name__)
def test_every_message_carries_the_envelope(model: type[BaseModel]) -> None:
    for name in ("message_id", "correlation_id", "org_id", "schema_version", "occurred_at"):
        assert name in model.model_fields
    assert model.model_config.get("frozen") is True


def test_requests_are_told_apart_by_kind() -> None:
    request = GetCampaign(
        correlation_id=uuid.uuid4(), org_id="A81001", actor="u", campaign_id=uuid.uuid4()
    )
    parsed = TypeAdapter(CampaignRequest).validate_json(request.model_dump_json())
    assert parsed == request


@pytest.mark.parametrize("org", ["a81001", "", "A81001; DROP", "TOOLONGCODE123"])
def test_an_organisation_must_be_an_ods_code(org: str) -> None:
    fields: dict[str, Any] = {"correlation_id": uuid.uuid4(), "org_id": org, "actor": "u"}
    with pytest.raises(ValidationError):
        GetCampaign(campaign_id=uuid.uuid4(), **fields)


def test_a_newer_producer_can_add_fields() -> None:
    request = GetCampaign(
        correlation_id=uuid.uuid4(), org_id="A81001", actor="u", campaign_id=uuid.uuid4()
    )
    raw = request.model_dump(mode="json") | {"new_optional_field": 1}
    assert TypeAdapter(CampaignRequest).validate_python(raw) == request


def test_every_request_has_a_reply_type() -> None:
    from typing import get_args

    from cohort_contracts.campaign_requests import REPLY_TYPES

    union = get_args(get_args(CampaignRequest)[0])
    assert set(union) == set(REPLY_TYPES)


def test_events_published_before_save_to_record_existed_still_validate() -> None:
    from cohort_contracts.ingest import ResolvedPatient
    from cohort_contracts.sending import RecordEntryRequested

    old = {
        "correlation_id": "6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e10",
        "org_id": "A81001",
        "nhs_number": "9434765919",
        "campaign_id": "6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e11",
        "recipient_id": "r1",
        "channel": "sms",
        "message_text": "Hello",
        "delivered_at": "2026-12-06T10:00:00+00:00",
    }
    event = RecordEntryRequested.model_validate(old)
    assert (event.family_name, event.birth_date, event.subject) == (None, None, None)
    patient = ResolvedPatient(nhs_number="1", given_name="A", family_name="B", contact="4477")
    assert patient.birth_date is None


def test_every_record_reason_has_plain_english_text() -> None:
    from cohort_contracts.record import RECORD_REASON_TEXT, RecordReason

    assert set(RECORD_REASON_TEXT) == set(RecordReason)
    assert all(text.startswith("Not saved: ") for text in RECORD_REASON_TEXT.values())
    assert (
        RECORD_REASON_TEXT[RecordReason.PRACTICE_NOT_ENABLED]
        == "Not saved: practice not set up for saving to record"
    )


def test_delivery_reports_from_before_permanence_was_said_still_validate() -> None:
    envelope = {"correlation_id": "6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e10", "org_id": "A81001"}
    report = {
        "recipient_id": "r1",
        "status": "failed",
        "reason_code": "SMS_NOT_SUPPORTED",
        "reason": "Words.",
        "reported_at": "2026-12-06T10:00:00+00:00",
    }
    receipt_id = {"receipt_id": "6f1c1d2e-5b0a-4c8e-9a57-2d8f3c4b7e12"}
    batch = sending.DeliveriesReported.model_validate(envelope | {"reports": [report | receipt_id]})
    single = sending.DeliveryReported.model_validate(envelope | report)
    # Not said: campaign does not send such a failure again.
    assert (batch.reports[0].permanent, single.permanent) == (None, None)
