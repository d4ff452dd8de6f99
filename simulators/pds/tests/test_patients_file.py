import json
from pathlib import Path
from typing import Any

import pytest

from pds_sim.patients import PatientIndex, as_served
from sim_common.nhs_number import is_valid_nhs_number

from .conftest import DATA_FILE


def write_ndjson(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def patient(nhs_number: str, **fields: Any) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": nhs_number, **fields}


def test_shipped_data_loads_and_every_id_is_valid() -> None:
    records = [json.loads(line) for line in DATA_FILE.read_text().splitlines()]

    index = PatientIndex.from_ndjson(DATA_FILE)

    assert len(records) >= 12
    assert all(is_valid_nhs_number(record["id"]) for record in records)
    assert all(record["id"].startswith("999") for record in records)
    assert len(index) == len(records) + 1  # one superseded number


def test_strips_withheld_fields_even_when_the_file_has_them() -> None:
    record = patient(
        "9999012221",
        meta={"security": [{"code": "R"}]},
        telecom=[{"system": "phone", "value": "07700900123"}],
        extension=[
            {
                "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NominatedPharmacy"
            },
            {
                "url": "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication"
            },
        ],
    )

    served = as_served(record)

    assert "telecom" not in served
    assert [ext["url"].rsplit("-", 1)[1] for ext in served["extension"]] == ["NHSCommunication"]


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "p.ndjson"
    path.write_text("\n" + json.dumps(patient("9999012221")) + "\n\n")
    assert PatientIndex.from_ndjson(path).get("9999012221") is not None


def test_rejects_a_line_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "p.ndjson"
    path.write_text(json.dumps(patient("9999012221")) + "\n{not json\n")
    with pytest.raises(ValueError, match=":2: not JSON"):
        PatientIndex.from_ndjson(path)


def test_rejects_a_resource_that_is_not_a_patient(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "p.ndjson", {"resourceType": "Bundle"})
    with pytest.raises(ValueError, match="not a FHIR Patient"):
        PatientIndex.from_ndjson(path)


def test_rejects_an_invalid_id_without_echoing_it(tmp_path: Path) -> None:
    path = write_ndjson(tmp_path / "p.ndjson", patient("9990011118"))
    with pytest.raises(ValueError, match="record 1: id is not a valid NHS number") as caught:
        PatientIndex.from_ndjson(path)
    assert "9990011118" not in str(caught.value)


def test_rejects_duplicates_and_a_superseded_number_with_its_own_record() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        PatientIndex([patient("9999012221"), patient("9999012221")])
    link = {
        "type": "replaces",
        "other": {
            "identifier": {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9999013333"}
        },
    }
    with pytest.raises(ValueError, match="superseded"):
        PatientIndex([patient("9999012221", link=[link]), patient("9999013333")])
