"""Builders for FHIR Patient resources as PDS shapes them (reference/pds.md §2)."""

from typing import Any

NHS_NUMBER = "9000000009"
SUPERSEDING_NHS_NUMBER = "9111231130"
BIRTH_DATE = "1980-02-29"
MOBILE = "07700900123"
EMAIL = "ann@example.com"

FhirJson = dict[str, Any]


def telecom(
    system: str,
    value: str,
    use: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> FhirJson:
    entry: FhirJson = {"system": system, "value": value}
    if use is not None:
        entry["use"] = use
    if start is not None or end is not None:
        entry["period"] = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    return entry


def security(code: str) -> FhirJson:
    return {
        "versionId": "2",
        "security": [
            {"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": code}
        ],
    }


def make_patient(**overrides: Any) -> FhirJson:
    """An unrestricted, living patient with a current mobile and home email."""
    patient: FhirJson = {
        "resourceType": "Patient",
        "id": NHS_NUMBER,
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS_NUMBER}],
        "meta": security("U"),
        "name": [
            {"use": "usual", "given": ["Ann", "Marie"], "family": "Example"},
        ],
        "gender": "female",
        "birthDate": BIRTH_DATE,
        "telecom": [
            telecom("phone", MOBILE, "mobile", start="2023-05-01"),
            telecom("email", EMAIL, "home", start="2021-01-01"),
            telecom("phone", "01632960999", "home", start="2019-01-01", end="2022-12-31"),
        ],
    }
    patient.update(overrides)
    return {k: v for k, v in patient.items() if v is not None}


def operation_outcome(code: str, fhir_code: str = "value", severity: str = "error") -> FhirJson:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": severity,
                "code": fhir_code,
                "details": {
                    "coding": [
                        {
                            "system": "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode",
                            "version": "1",
                            "code": code,
                            "display": code.replace("_", " ").title(),
                        }
                    ]
                },
                "diagnostics": "test",
            }
        ],
    }
