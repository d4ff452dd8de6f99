"""MESH addressing (GPCM-SD-056: ``GPPROVIDER_<NHS no>_<DOB YYYYMMDD>_<surname>``) and the
settings that keep live MESH safe and secrets out of sight."""

from datetime import date

import pytest
from pydantic import ValidationError

from record.config import PracticeSettings, RecordSettings
from record.domain.addressing import CannotAddress, PracticeRoute, gpprovider_address
from record.domain.model import Patient


def test_the_demographic_address_is_what_mesh_routes() -> None:
    patient = Patient("9434765919", "  o'Brien-Smith  ", date(1980, 2, 29))
    assert gpprovider_address(patient) == "GPPROVIDER_9434765919_19800229_O'BRIEN-SMITH"


def test_the_address_never_exceeds_mesh_s_100_characters() -> None:
    assert len(gpprovider_address(Patient("9434765919", "X" * 200, date(1980, 1, 1)))) == 100


@pytest.mark.parametrize(
    ("surname", "born"), [(None, date(1980, 1, 1)), ("Smith", None), (" ", date(1980, 1, 1))]
)
def test_without_surname_or_birth_date_there_is_no_address(
    surname: str | None, born: date | None
) -> None:
    with pytest.raises(CannotAddress):
        gpprovider_address(Patient("9434765919", surname, born))


def test_mailbox_addressing_goes_to_the_practice_mailbox() -> None:
    route = PracticeRoute("mailbox", "A81001GP1")
    assert route.mex_to(Patient("9434765919", None, None)) == "A81001GP1"


def test_live_mesh_refuses_mailbox_addressing() -> None:
    with pytest.raises(ValidationError, match="demographic addressing"):
        RecordSettings(
            mesh_url="https://mesh-sync.spineservices.nhs.uk",
            mesh_password="real-password-123",
            mesh_shared_key="real-key-123",
            practices={"A81001": PracticeSettings(addressing="mailbox", mailbox="A81001GP1")},
        )


def test_a_real_mesh_refuses_the_development_secrets() -> None:
    with pytest.raises(ValidationError, match="must be set"):
        RecordSettings(mesh_url="https://msg.intspineservices.nhs.uk")


def test_practices_come_from_json_and_secrets_never_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "RECORD_PRACTICES", '{"A81001": {"addressing": "mailbox", "mailbox": "A81001GP1"}}'
    )
    monkeypatch.setenv("RECORD_MESH_PASSWORD", "s3cret-mailbox-password")
    settings = RecordSettings()
    assert settings.practices["A81001"].mailbox == "A81001GP1"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())
    monkeypatch.setenv("RECORD_PRACTICES", '{"A81001": {"addressing": "mailbox"}}')
    with pytest.raises(ValidationError) as error:
        RecordSettings()
    assert "s3cret" not in str(error.value)
