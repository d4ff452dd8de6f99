"""docker compose cannot run here (no Docker engine), so its structure is checked: every
service runs a module that exists, every environment variable names a real setting, and the
Procfile (`make run`) starts the same set."""

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic_settings import BaseSettings

from campaign.config import CampaignSettings
from cohort_platform.settings import RabbitSettings
from dispatch.config import Settings as DispatchSettings
from firetext_sim.config import Settings as FiretextSettings
from gateway.config import GatewaySettings
from ingest.config import IngestSettings
from pds_sim.config import Settings as PdsSettings
from web.config import WebSettings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS: dict[str, type[BaseSettings]] = {
    "gateway": GatewaySettings,
    "campaign": CampaignSettings,
    "ingest": IngestSettings,
    "dispatch": DispatchSettings,
    "pds-sim": PdsSettings,
    "firetext-sim": FiretextSettings,
    "web": WebSettings,
}
SHARED = {name.upper() for name in RabbitSettings.model_fields} | {"MONGODB_URL"}


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = str(settings.model_config.get("env_prefix", ""))
    return {(prefix + name).upper() for name in settings.model_fields}


def test_compose_runs_the_broker_the_database_and_every_service() -> None:
    assert set(COMPOSE["services"]) == {"rabbitmq", "mongodb", *SETTINGS}
    assert COMPOSE["services"]["rabbitmq"]["image"].startswith("rabbitmq:3.")
    assert COMPOSE["services"]["mongodb"]["image"].startswith("mongo:")
    assert "MONGODB_URL" in COMPOSE["services"]["campaign"]["environment"]


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_each_service_runs_a_real_module_with_real_settings(service: str) -> None:
    spec = COMPOSE["services"][service]
    assert spec["command"][:2] == ["python", "-m"]
    assert importlib.util.find_spec(spec["command"][2]) is not None
    unknown = set(spec["environment"]) - env_names(SETTINGS[service]) - SHARED
    assert not unknown, f"{service} sets variables no setting reads: {unknown}"
    # The values parse: the settings object builds from exactly this environment.
    env = {k: str(v) for k, v in spec["environment"].items() if k not in SHARED}
    SETTINGS[service](**{k.removeprefix(_prefix(service)).lower(): v for k, v in env.items()})


def _prefix(service: str) -> str:
    return str(SETTINGS[service].model_config.get("env_prefix", ""))


def test_the_procfile_starts_the_same_processes() -> None:
    modules = {
        line.split(":", 1)[1].split()[-1]
        for line in (ROOT / "Procfile").read_text().splitlines()
        if line.strip()
    }
    assert modules == {
        spec["command"][2] for name, spec in COMPOSE["services"].items() if name in SETTINGS
    }


def test_the_bundled_organisations_file_loads_in_both_services() -> None:
    from campaign.adapters.organisations_file import load_organisation_names
    from gateway.organisations import Organisations

    path = ROOT / "config" / "organisations.json"
    organisations = Organisations.load(path)
    assert organisations.readable_by("U12345") == ("A81001", "A81002")
    assert load_organisation_names(path)["A81001"] == "Example Surgery"


def test_make_run_turns_on_development_sign_in_for_the_web_app() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "WEB_DEV_SIGN_IN=$${WEB_DEV_SIGN_IN:-1}" in makefile
    assert COMPOSE["services"]["web"]["ports"] == ["8080:8080"]
    assert WebSettings().port == 8080


def test_the_bundled_dev_users_cover_two_practices_and_a_network() -> None:
    from web.users import load_users

    users = load_users(ROOT / "config" / "dev-users.json").users
    assert {u.org for u in users} == {"A81001", "B82002", "U12345"}
