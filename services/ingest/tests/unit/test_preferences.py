"""The patient's recorded preferences from PDS: no telephone contact (ContactPreference code 8)
keeps them off SMS lists; language and interpreter needs (NHSCommunication) travel with them."""

from datetime import date
from typing import Any

import pytest

from cohort_contracts.ingest import ResolvedPatient
from cohort_contracts.vocabulary import Channel, UploadReason
from ingest.domain.eligibility import assess
from ingest.domain.patient import parse_patient
from ingest.domain.preferences import CONTACT_PREFERENCE, NHS_COMMUNICATION, read_preferences

from ..fhir import EMAIL, FhirJson, make_patient, telecom

TODAY = date(2026, 11, 27)
BORN = date(1980, 2, 29)


def contact_method(code: str, display: str) -> FhirJson:
    coding = {"system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-PreferredContactMethod"}
    return {
        "url": CONTACT_PREFERENCE,
        "extension": [
            {
                "url": "PreferredContactMethod",
                "valueCodeableConcept": {"coding": [coding | {"code": code, "display": display}]},
            },
            {"url": "PreferredContactTimes", "valueString": "Not after 7pm"},
        ],
    }


def communication(code: str, display: str | None, interpreter: Any) -> FhirJson:
    coding: FhirJson = {"system": "https://fhir.hl7.org.uk/CodeSystem/UKCore-HumanLanguage"}
    coding |= {"code": code} | ({"display": display} if display else {})
    return {
        "url": NHS_COMMUNICATION,
        "extension": [
            {"url": "language", "valueCodeableConcept": {"coding": [coding]}},
            {"url": "interpreterRequired", "valueBoolean": interpreter},
        ],
    }


def assess_with(*extensions: FhirJson, channel: Channel = "sms") -> ResolvedPatient | UploadReason:
    email = telecom("email", EMAIL, "home")
    resource = make_patient(
        extension=list(extensions), telecom=[telecom("phone", "07700900123", "mobile"), email]
    )
    return assess(parse_patient(resource), date_of_birth=BORN, channel=channel, today=TODAY)


def test_no_telephone_contact_is_not_texted() -> None:
    assert assess_with(contact_method("8", "No Telephone contact")) is (
        UploadReason.NO_TELEPHONE_CONTACT
    )


def test_no_telephone_contact_is_still_emailed_from_an_email_list() -> None:
    resolved = assess_with(contact_method("8", "No Telephone contact"), channel="email")
    assert isinstance(resolved, ResolvedPatient)
    assert resolved.contact == EMAIL


@pytest.mark.parametrize(
    ("code", "display"), [("1", "Letter"), ("3", "Telephone"), ("4", "E-mail")]
)
def test_other_preferred_methods_do_not_stop_a_text(code: str, display: str) -> None:
    assert isinstance(assess_with(contact_method(code, display)), ResolvedPatient)


def test_language_and_interpreter_travel_with_the_patient() -> None:
    resolved = assess_with(communication("pl", "Polish", True))
    assert isinstance(resolved, ResolvedPatient)
    assert (resolved.language, resolved.interpreter_required) == ("Polish", True)


def test_without_a_display_the_code_is_the_language_and_no_flag_is_no_interpreter() -> None:
    resolved = assess_with(communication("q4", None, "yes"))  # not a boolean: no interpreter
    assert isinstance(resolved, ResolvedPatient)
    assert (resolved.language, resolved.interpreter_required) == ("q4", False)


@pytest.mark.parametrize(
    "extension",
    [
        {"url": NHS_COMMUNICATION},
        {"url": NHS_COMMUNICATION, "extension": "not a list"},
        {"url": NHS_COMMUNICATION, "extension": [{"url": "language", "valueCodeableConcept": 3}]},
        {"url": CONTACT_PREFERENCE, "extension": [{"url": "PreferredContactMethod"}]},
        "not an object",
    ],
)
def test_malformed_extensions_are_ignored(extension: Any) -> None:
    preferences = read_preferences({"extension": [extension]})
    assert (preferences.no_telephone_contact, preferences.languages) == (False, ())
