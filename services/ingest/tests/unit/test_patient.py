import pytest

from ingest.domain.dates import PartialDate
from ingest.domain.patient import MalformedPatient, parse_patient

from ..fhir import make_patient, operation_outcome, security, telecom


@pytest.mark.parametrize(
    "body",
    [operation_outcome("RESOURCE_NOT_FOUND"), [], "Patient", None, make_patient(id=None)],
)
def test_anything_but_a_patient_with_an_id_is_malformed(body: object) -> None:
    with pytest.raises(MalformedPatient):
        parse_patient(body)


def test_reads_the_fields_ingest_uses() -> None:
    patient = parse_patient(make_patient(meta=security("R"), deceasedDateTime="2024-01-01"))
    assert patient.id == "9000000009"
    assert patient.birth_date == PartialDate(1980, 2, 29)
    assert patient.deceased
    assert patient.restricted
    assert [(t.system, t.use) for t in patient.telecom] == [
        ("phone", "mobile"),
        ("email", "home"),
        ("phone", "home"),
    ]


def test_unreadable_or_incomplete_contacts_are_dropped() -> None:
    patient = parse_patient(
        make_patient(
            telecom=[
                telecom("phone", "07700900123", "mobile", start="sometime"),
                {"system": "email"},
                "not an object",
                telecom("email", "a@example.com", "home"),
            ]
        )
    )
    assert [t.value for t in patient.telecom] == ["a@example.com"]


def test_wrongly_typed_fields_are_absent() -> None:
    patient = parse_patient(make_patient(telecom="none", name={"family": "X"}, meta=[]))
    assert patient.telecom == ()
    assert patient.names == ()
    assert not patient.restricted
