"""Re-checking recipients against PDS before they are sent: whoever died, became restricted,
asked for no telephone contact or lost their contact since upload is reported with the reason;
a changed contact is reported so the stale one is never used."""

import uuid

from cohort_contracts.ingest import RecheckItem, RecheckPatients
from cohort_contracts.vocabulary import UploadReason
from ingest.domain.patient import parse_patient
from ingest.domain.preferences import CONTACT_PREFERENCE
from ingest.handlers import Dependencies
from ingest.handlers.rechecks import recheck_patients

from ..fakes import FakePatientDirectory, FakePublisher, FixedClock
from ..fhir import NHS_NUMBER, make_patient, security, telecom

NEW_MOBILE = "07700900999"
NO_TELEPHONE = {
    "url": CONTACT_PREFERENCE,
    "extension": [
        {
            "url": "PreferredContactMethod",
            "valueCodeableConcept": {"coding": [{"code": "8", "display": "No Telephone contact"}]},
        }
    ],
}
PATIENTS = {
    NHS_NUMBER: make_patient(),
    "9434765919": make_patient(id="9434765919", deceasedDateTime="2026-11-20"),
    "9111231130": make_patient(id="9111231130", meta=security("R")),
    "4010232137": make_patient(id="4010232137", telecom=[telecom("phone", NEW_MOBILE, "mobile")]),
    "9990003343": make_patient(id="9990003343", extension=[NO_TELEPHONE]),
}


async def test_each_recipient_is_reported_as_pds_has_them_now(clock: FixedClock) -> None:
    directory = FakePatientDirectory(
        records={n: parse_patient(p) for n, p in PATIENTS.items()}
        | {"9727194737": UploadReason.PDS_UNAVAILABLE}
    )
    publisher = FakePublisher()
    deps = Dependencies(directory=directory, publisher=publisher, clock=clock)
    numbers = [*PATIENTS, "9727194737", "9000000000"]
    command = RecheckPatients(
        correlation_id=uuid.uuid4(),
        org_id="A81001",
        campaign_id=uuid.uuid4(),
        batch_id=uuid.uuid4(),
        items=[
            RecheckItem(recipient_id=f"r{i}", nhs_number=n, channel="sms", contact="447700900123")
            for i, n in enumerate(numbers)
        ],
    )

    event = await recheck_patients(command, deps)
    await recheck_patients(command, deps)  # redelivered: the same answer again

    got = {o.recipient_id: (o.reason_code, o.contact) for o in event.outcomes}
    assert got == {
        "r0": (None, "447700900123"),  # unchanged
        "r1": (UploadReason.DECEASED, None),
        "r2": (UploadReason.RESTRICTED_RECORD, None),
        "r3": (None, "447700900999"),  # a new mobile since upload
        "r4": (UploadReason.NO_TELEPHONE_CONTACT, None),
        "r5": (UploadReason.PDS_UNAVAILABLE, None),  # not checked: campaign asks again
        "r6": (UploadReason.NOT_FOUND, None),
    }
    assert event.batch_id == command.batch_id
    assert [e.outcomes for e in publisher.rechecked] == [event.outcomes, event.outcomes]
    # One lookup per number, through the directory (and so the shared PDS rate limit).
    assert sorted(n for n, _ in directory.lookups) == sorted(numbers * 2)
