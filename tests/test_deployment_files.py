"""docker compose cannot run here (no Docker engine), so its structure is checked: every
service runs a module that exists, every environment variable names a real setting, and the
Procfile (`make run`) starts the same set."""

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from cohort_platform.settings import RabbitSettings
from fake_gp.config import Settings as FakeGpSettings
from patient.config import PatientSettings
from record.config import RecordSettings
from web.config import WebSettings

from .service_settings import EVERY_SERVICE

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS = EVERY_SERVICE
#: Not Cohort's code: NHS England's local MESH, built from the pinned packages.
MESH_SANDBOX = "mesh-sandbox"
SHARED = {name.upper() for name in RabbitSettings.model_fields} | {"MONGODB_URL"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {(prefix + name).upper() for name in settings.model_fields}


def test_compose_runs_the_broker_the_database_and_every_service() -> None:
    assert set(COMPOSE["services"]) == {"rabbitmq", "mongodb", MESH_SANDBOX, *SETTINGS}
    assert COMPOSE["services"]["rabbitmq"]["image"].startswith("rabbitmq:3.")
    assert COMPOSE["services"]["mongodb"]["image"].startswith("mongo:")
    assert "MONGODB_URL" in COMPOSE["services"]["campaign"]["environment"]
    assert "MONGODB_URL" in COMPOSE["services"]["record"]["environment"]


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_each_service_runs_a_real_module_with_real_settings(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = COMPOSE["services"][service]
    assert spec["command"][:2] == ["python", "-m"]
    assert importlib.util.find_spec(spec["command"][2]) is not None
    unknown = set(spec["environment"]) - env_names(SETTINGS[service]) - SHARED
    assert not unknown, f"{service} sets variables no setting reads: {unknown}"
    # The values parse: the settings object builds from exactly this environment, read as the
    # service reads it (prefix, aliases, JSON for structured settings).
    for name, value in spec["environment"].items():
        if name not in SHARED:
            monkeypatch.setenv(name, str(value))
    SETTINGS[service]()


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    pairs = (line.split(":", 1) for line in lines if line.strip())
    return {name.strip(): command.strip() for name, command in pairs}


def test_the_procfile_starts_the_same_processes() -> None:
    commands = _procfile()
    modules = {c.split()[-1] for name, c in commands.items() if name != MESH_SANDBOX}
    assert modules == {
        spec["command"][2] for name, spec in COMPOSE["services"].items() if name in SETTINGS
    }
    assert commands[MESH_SANDBOX] == "scripts/mesh-sandbox.sh run"


def test_the_mesh_sandbox_is_the_pinned_one_with_full_auth_and_cohort_s_mailboxes() -> None:
    here = ROOT / "simulators" / "mesh-sandbox"
    assert COMPOSE["services"][MESH_SANDBOX]["build"] == "simulators/mesh-sandbox"
    dockerfile = (here / "Dockerfile").read_text()
    assert "AUTH_MODE=full" in dockerfile
    assert "-r /sandbox/requirements.txt" in dockerfile
    assert "mesh-sandbox==" in (here / "requirements.txt").read_text()
    mailboxes = [json.loads(line) for line in (here / "mailboxes.jsonl").read_text().splitlines()]
    by_id = {m["mailbox_id"]: m for m in mailboxes}
    record = RecordSettings(**_record_env())
    assert record.mesh_mailbox in by_id
    assert record.mesh_password.get_secret_value() == by_id[record.mesh_mailbox]["password"]
    for ods, practice in record.practices.items():
        assert by_id[str(practice.mailbox)]["ods_code"] == ods
    assert set(FakeGpSettings().mailboxes.split(",")) == {
        str(p.mailbox) for p in record.practices.values()
    }


def _record_env() -> dict[str, Any]:
    env = COMPOSE["services"]["record"]["environment"]
    return {
        k.removeprefix("RECORD_").lower(): v
        for k, v in env.items()
        if k.startswith("RECORD_") and k != "RECORD_ORGANISATIONS_FILE"
    }


def test_the_bundled_organisations_file_loads_in_both_services() -> None:
    from campaign.adapters.organisations_file import OrganisationsFile
    from gateway.adapters.organisations_file import read_organisations_file

    path = ROOT / "config" / "organisations.json"
    organisations = read_organisations_file(path)
    assert organisations.readable_by("U12345") == ("A81001", "A81002")
    campaign_view = OrganisationsFile.read(path)
    assert campaign_view.names()["A81001"] == "Example Surgery"
    assert campaign_view.phones()["A81001"] == "01632 960001"


def test_make_run_turns_on_development_sign_in_for_the_web_app() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "WEB_DEV_SIGN_IN=$${WEB_DEV_SIGN_IN:-1}" in makefile
    assert COMPOSE["services"]["web"]["ports"] == ["8080:8080"]
    assert WebSettings().port == 8080


def test_the_bundled_dev_users_cover_two_practices_and_a_network() -> None:
    from web.users import load_users

    users = load_users(ROOT / "config" / "dev-users.json").users
    assert {u.org for u in users} == {"A81001", "B82002", "U12345"}


def test_make_run_points_links_at_the_patient_pages_and_booking_at_gp_connect() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "CAMPAIGN_LINK_BASE_URL=$${CAMPAIGN_LINK_BASE_URL:-http://127.0.0.1:8090/l/}" in makefile
    assert "CAMPAIGN_GPCONNECT_BASE_URL" in makefile
    assert PatientSettings().port == 8090
    campaign = COMPOSE["services"]["campaign"]["environment"]
    assert campaign["CAMPAIGN_LINK_BASE_URL"].endswith(":8090/l/")
    assert "gpconnect-sim:9004" in campaign["CAMPAIGN_GPCONNECT_BASE_URL"]
