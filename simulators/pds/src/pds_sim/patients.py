"""The patients the simulator serves: loaded once from NDJSON, kept in their served form."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim_common.nhs_number import is_valid_nhs_number

FhirResource = dict[str, Any]

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

# What PDS withholds by confidentiality code (reference/pds.md section 2): R drops contact and GP
# details; V, as the INT tests show, also drops name and date of birth.
_RESTRICTED_FIELDS = ("address", "telecom", "contact", "generalPractitioner")
_WITHHELD_FIELDS = {
    "R": _RESTRICTED_FIELDS,
    "V": (*_RESTRICTED_FIELDS, "name", "birthDate"),
}
# R also drops the pharmacy and birthplace extensions; these fragments identify their URLs.
_WITHHELD_EXTENSIONS = ("Pharmacy", "PreferredDispenser", "MedicalApplianceSupplier", "BirthPlace")


def security_code(resource: FhirResource) -> str:
    security = resource.get("meta", {}).get("security") or [{}]
    return str(security[0].get("code", "U"))


def as_served(resource: FhirResource) -> FhirResource:
    """The resource as PDS returns it: never ``link``, and restricted fields withheld."""
    served = {key: value for key, value in resource.items() if key != "link"}
    withheld = _WITHHELD_FIELDS.get(security_code(resource), ())
    for field in withheld:
        served.pop(field, None)
    if withheld and "extension" in served:
        served["extension"] = [
            ext
            for ext in served["extension"]
            if not any(part in str(ext.get("url", "")) for part in _WITHHELD_EXTENSIONS)
        ]
    return served


@dataclass(frozen=True)
class ServedPatient:
    body: bytes
    version_id: str


def serve(resource: FhirResource) -> ServedPatient:
    version_id = str(resource.get("meta", {}).get("versionId", "1"))
    return ServedPatient(json.dumps(as_served(resource)).encode(), version_id)


def replaced_numbers(resource: FhirResource) -> list[str]:
    """Old NHS numbers this record supersedes, from FHIR ``Patient.link`` of type ``replaces``."""
    return [
        link["other"]["identifier"]["value"]
        for link in resource.get("link", [])
        if link.get("type") == "replaces"
        and link.get("other", {}).get("identifier", {}).get("system") == NHS_NUMBER_SYSTEM
    ]


class PatientIndex:
    """Served patients by NHS number, superseded numbers included.

    Bodies are serialised once at start-up so a lookup is a dictionary read.
    """

    def __init__(self, resources: Iterable[FhirResource]) -> None:
        self._by_number: dict[str, ServedPatient] = {}
        aliases: dict[str, ServedPatient] = {}
        # Errors name the record's position, never its NHS number: they may end up in logs.
        for position, resource in enumerate(resources, start=1):
            nhs_number = str(resource.get("id", ""))
            _require_valid(nhs_number, f"record {position}: id")
            if nhs_number in self._by_number:
                raise ValueError(f"record {position}: duplicate patient id")
            served = serve(resource)
            self._by_number[nhs_number] = served
            for old in replaced_numbers(resource):
                _require_valid(old, f"record {position}: replaced number")
                aliases[old] = served
        if aliases.keys() & self._by_number.keys():
            raise ValueError("a superseded number is also present as a record of its own")
        self._by_number.update(aliases)

    @classmethod
    def from_ndjson(cls, path: Path) -> "PatientIndex":
        return cls(_read_ndjson(path))

    def get(self, nhs_number: str) -> ServedPatient | None:
        return self._by_number.get(nhs_number)

    def put(self, resource: FhirResource) -> None:
        """Adds or replaces one record while running (tests change what PDS says between an
        upload and a send). Superseded numbers are not supported here."""
        nhs_number = str(resource.get("id", ""))
        _require_valid(nhs_number, "record: id")
        if any(True for _ in replaced_numbers(resource)):
            raise ValueError("record: a record put while running cannot replace numbers")
        self._by_number[nhs_number] = serve(resource)

    def __len__(self) -> int:
        return len(self._by_number)


def _read_ndjson(path: Path) -> Iterable[FhirResource]:
    with path.open(encoding="utf-8") as lines:
        for line_number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                resource = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{line_number}: not JSON ({exc.msg})") from None
            if not isinstance(resource, dict) or resource.get("resourceType") != "Patient":
                raise ValueError(f"{path}:{line_number}: not a FHIR Patient resource")
            yield resource


def _require_valid(nhs_number: str, what: str) -> None:
    # Failing at start-up beats a record that can never be served (PDS answers 400 for it).
    if not is_valid_nhs_number(nhs_number):
        raise ValueError(f"{what} is not a valid NHS number")
