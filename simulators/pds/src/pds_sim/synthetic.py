"""Deterministic synthetic patients for load tests (``PDS_SIM_SYNTHETIC=1``).

Everything is derived from a hash of the NHS number, so a test can call ``synthetic_patient`` to
learn the date of birth and contact details the simulator will return for any number.
"""

import hashlib
from datetime import date, timedelta

from pds_sim.patients import NHS_NUMBER_SYSTEM, FhirResource

_GIVEN_FEMALE = ("Olivia", "Amelia", "Isla", "Ava", "Grace", "Freya", "Aisha", "Zara", "Niamh")
_GIVEN_MALE = ("Oliver", "George", "Noah", "Arthur", "Harry", "Oscar", "Mohammed", "Rhys", "Jack")
_FAMILY = ("Smith", "Jones", "Taylor", "Brown", "Davies", "Evans", "Patel", "Khan", "Wright")
_STREETS = ("High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road")
# A fixed window (not "today minus N years") keeps the output identical whenever it is computed.
_EARLIEST_BIRTH = date(1930, 1, 1)
_BIRTH_SPAN_DAYS = (date(2005, 12, 31) - _EARLIEST_BIRTH).days


def synthetic_patient(nhs_number: str) -> FhirResource:
    """The unrestricted FHIR Patient the simulator serves for ``nhs_number`` in synthetic mode."""
    digest = hashlib.sha256(f"pds-sim:{nhs_number}".encode()).digest()
    female = digest[0] % 2 == 0
    given_names = _GIVEN_FEMALE if female else _GIVEN_MALE
    given = given_names[digest[1] % len(given_names)]
    family = _FAMILY[digest[2] % len(_FAMILY)]
    birth_date = _EARLIEST_BIRTH + timedelta(days=int.from_bytes(digest[3:6]) % _BIRTH_SPAN_DAYS)
    # 07700 900000-900999 is Ofcom's drama range: never a real handset.
    mobile = f"07700900{int.from_bytes(digest[6:8]) % 1000:03d}"
    email = f"{given}.{family}{digest[8] % 100}@example.com".lower()
    return {
        "resourceType": "Patient",
        "id": nhs_number,
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": nhs_number}],
        "meta": {
            "versionId": "1",
            "security": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
                    "code": "U",
                    "display": "unrestricted",
                }
            ],
        },
        "name": [{"use": "usual", "given": [given], "family": family}],
        "gender": "female" if female else "male",
        "birthDate": birth_date.isoformat(),
        "address": [
            {
                "use": "home",
                "line": [f"{digest[9] % 200 + 1} {_STREETS[digest[10] % len(_STREETS)]}", "Leeds"],
                "postalCode": f"LS{digest[11] % 28 + 1} {digest[12] % 9 + 1}AB",
            }
        ],
        "telecom": [
            {
                "id": "1",
                "system": "phone",
                "use": "mobile",
                "value": mobile,
                "period": {"start": "2020-01-01"},
            },
            {"id": "2", "system": "email", "use": "home", "value": email},
        ],
        "generalPractitioner": [
            {
                "type": "Organization",
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": "Y12345",
                },
            }
        ],
    }
