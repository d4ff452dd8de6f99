from datetime import date
from typing import Any

import pytest

from cohort_contracts.ingest import ResolvedPatient
from cohort_contracts.vocabulary import Channel, UploadReason
from ingest.domain.eligibility import assess
from ingest.domain.patient import parse_patient

from ..fhir import (
    EMAIL,
    SUPERSEDING_NHS_NUMBER,
    FhirJson,
    make_patient,
    security,
    telecom,
)

TODAY = date(2026, 11, 27)
BORN = date(1980, 2, 29)


def assess_fhir(
    resource: FhirJson, channel: Channel = "sms", born: date = BORN
) -> ResolvedPatient | UploadReason:
    return assess(parse_patient(resource), date_of_birth=born, channel=channel, today=TODAY)


def with_telecom(*entries: FhirJson, **overrides: Any) -> FhirJson:
    return make_patient(telecom=list(entries), **overrides)


def test_sms_patient_resolves_to_e164_digits_and_usual_name() -> None:
    assert assess_fhir(make_patient()) == ResolvedPatient(
        nhs_number="9000000009",
        given_name="Ann",
        family_name="Example",
        contact="447700900123",
        birth_date=BORN,
    )


@pytest.mark.parametrize("partial", ["1980", "1980-02"])
def test_a_birth_date_pds_gives_only_in_part_is_not_passed_on(partial: str) -> None:
    """Save to record addresses the patient by the full date; a partial one cannot be used."""
    resolved = assess_fhir(make_patient(birthDate=partial))
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.birth_date is None


def test_email_patient_resolves_to_home_address() -> None:
    resolved = assess_fhir(make_patient(), channel="email")
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.contact == EMAIL


def test_superseded_number_uses_the_surviving_record_id() -> None:
    resolved = assess_fhir(make_patient(id=SUPERSEDING_NHS_NUMBER))
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.nhs_number == SUPERSEDING_NHS_NUMBER


@pytest.mark.parametrize("birth_date", ["1980", "1980-02", "1980-02-29"])
def test_partial_birth_date_compares_only_what_is_present(birth_date: str) -> None:
    assert isinstance(assess_fhir(make_patient(birthDate=birth_date)), ResolvedPatient)


@pytest.mark.parametrize("birth_date", ["1981", "1980-03", "1980-02-28", None])
def test_birth_date_mismatch(birth_date: str | None) -> None:
    # None: an unrestricted record without a birth date cannot confirm it is this patient.
    result = assess_fhir(make_patient(birthDate=birth_date))
    assert result is UploadReason.DATE_OF_BIRTH_MISMATCH


def test_mismatch_outranks_deceased_and_restricted() -> None:
    resource = make_patient(
        birthDate="1990-01-01", deceasedDateTime="2024-01-01", meta=security("R")
    )
    assert assess_fhir(resource) is UploadReason.DATE_OF_BIRTH_MISMATCH


def test_deceased() -> None:
    resource = make_patient(deceasedDateTime="2024-03-01T10:00:00+00:00")
    assert assess_fhir(resource) is UploadReason.DECEASED


@pytest.mark.parametrize("code", ["R", "V"])
def test_restricted_record(code: str) -> None:
    assert assess_fhir(make_patient(meta=security(code))) is UploadReason.RESTRICTED_RECORD


def test_very_restricted_record_has_no_name_or_birth_date_but_is_restricted() -> None:
    resource = make_patient(meta=security("V"), name=None, birthDate=None, telecom=None)
    assert assess_fhir(resource) is UploadReason.RESTRICTED_RECORD


def test_sandbox_jane_smith_is_deceased_with_only_ended_contacts() -> None:
    resource = make_patient(
        birthDate="2010-10-22",
        deceasedDateTime="2010-10-22T00:00:00+00:00",
        telecom=[
            telecom("phone", "01632960587", "home", "2020-01-01", "2021-12-31"),
            telecom("email", "jane.smith@example.com", "home", "2019-01-01", "2022-12-31"),
        ],
    )
    assert assess_fhir(resource, born=date(2010, 10, 22)) is UploadReason.DECEASED


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [telecom("phone", "07700900123", "home")],  # a mobile-looking number with use=home
        [telecom("phone", "07700900123", "mobile", "2020-01-01", "2026-11-26")],  # ended
        [telecom("phone", "07700900123", "mobile", "2026-11-28")],  # not started yet
        [telecom("phone", "07700900123", "mobile", "2020-01", "2026-10")],  # ended last month
        [telecom("email", EMAIL, "home")],
    ],
)
def test_no_current_mobile(entries: list[FhirJson]) -> None:
    assert assess_fhir(with_telecom(*entries)) is UploadReason.NO_MOBILE_NUMBER


@pytest.mark.parametrize(
    "entry",
    [
        telecom("phone", "07700900123", "mobile"),  # no period
        telecom("phone", "07700900123", "mobile", "2026-11-27", "2026-11-27"),  # today only
        telecom("phone", "07700900123", "mobile", "2020", "2026-11"),  # partial, current
    ],
)
def test_current_mobile_periods(entry: FhirJson) -> None:
    assert isinstance(assess_fhir(with_telecom(entry)), ResolvedPatient)


@pytest.mark.parametrize("number", ["07700900123", "+447700900123", "00447700900123"])
def test_mobile_formats(number: str) -> None:
    resolved = assess_fhir(with_telecom(telecom("phone", number, "mobile")))
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.contact == "447700900123"


def test_ended_mobile_is_skipped_for_the_current_one() -> None:
    resolved = assess_fhir(
        with_telecom(
            telecom("phone", "07700900111", "mobile", "2015-01-01", "2020-01-01"),
            telecom("phone", "07700900222", "mobile", "2020-01-02"),
        )
    )
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.contact == "447700900222"


@pytest.mark.parametrize("number", ["01632960587", "00917855986859", "n/a"])
def test_invalid_mobile(number: str) -> None:
    result = assess_fhir(with_telecom(telecom("phone", number, "mobile")))
    assert result is UploadReason.INVALID_MOBILE_NUMBER


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [telecom("phone", "07700900123", "mobile")],
        [telecom("email", EMAIL, "home", "2019-01-01", "2022-12-31")],
        [telecom("email", EMAIL, "old")],
        [telecom("email", "not-an-address", "home")],
    ],
)
def test_no_email_address(entries: list[FhirJson]) -> None:
    assert assess_fhir(with_telecom(*entries), "email") is UploadReason.NO_EMAIL_ADDRESS


@pytest.mark.parametrize(
    ("entries", "chosen"),
    [
        pytest.param(
            [
                telecom("email", "ann@work.example.com", "work"),
                telecom("email", "ann@home.example.com", "home"),
            ],
            "ann@home.example.com",
            id="home-preferred-over-work-whatever-the-order",
        ),
        pytest.param(
            [
                telecom("email", "ann@home.example.com", "home", "2019-01-01", "2020-01-01"),
                telecom("email", "ann@work.example.com", "work"),
            ],
            "ann@work.example.com",
            id="work-when-it-is-the-only-current-one",
        ),
    ],
)
def test_the_email_address_chosen(entries: list[FhirJson], chosen: str) -> None:
    resolved = assess_fhir(with_telecom(*entries), "email")
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.contact == chosen


def test_usual_name_preferred_over_earlier_entries() -> None:
    resource = make_patient(
        name=[
            {"use": "nickname", "given": ["Annie"], "family": "Ex"},
            {"use": "usual", "given": ["Ann"], "family": "Example"},
        ]
    )
    resolved = assess_fhir(resource)
    assert isinstance(resolved, ResolvedPatient)
    assert (resolved.given_name, resolved.family_name) == ("Ann", "Example")


def test_first_name_entry_without_a_usual_one_and_blank_without_any() -> None:
    first = assess_fhir(make_patient(name=[{"use": "temp", "given": ["Jo"], "family": "T"}]))
    assert isinstance(first, ResolvedPatient)
    assert (first.given_name, first.family_name) == ("Jo", "T")
    nameless = assess_fhir(make_patient(name=None))
    assert isinstance(nameless, ResolvedPatient)
    assert (nameless.given_name, nameless.family_name) == ("", "")
