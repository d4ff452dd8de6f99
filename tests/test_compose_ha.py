"""compose.ha.yml without a Docker engine (there is none here, and no compose plugin): its
structure is checked as tests/test_deployment_files.py checks docker-compose.yml. A 3-node
RabbitMQ cluster behind HAProxy, a 3-member MongoDB replica set, two of every service, every
variable a real setting, every secret from the environment, and connection strings that name
the whole cluster."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from cohort_platform.settings import RabbitSettings

from .service_settings import BACK_END

ROOT = Path(__file__).resolve().parents[1]
HA: dict[str, Any] = yaml.safe_load((ROOT / "compose.ha.yml").read_text())
SERVICES = HA["services"]
SETTINGS = BACK_END
SHARED = {name.upper() for name in RabbitSettings.model_fields} | {"MONGODB_URL"}
FROM_ENVIRONMENT = re.compile(r"\$\{[A-Z_]+:\?[^}]+\}")


def test_three_rabbitmq_nodes_form_one_cluster() -> None:
    nodes = [f"rabbitmq-{n}" for n in (1, 2, 3)]
    conf = HA["configs"]["rabbitmq-conf"]["content"]
    for node in nodes:
        spec = SERVICES[node]
        assert spec["image"].startswith("rabbitmq:3.")
        assert spec["hostname"] == node
        assert f"rabbit@{node}" in conf
        assert FROM_ENVIRONMENT.fullmatch(spec["environment"]["RABBITMQ_ERLANG_COOKIE"])
        assert spec["volumes"], "each node keeps its own data"
    assert "quorum_queue.initial_cluster_size = 3" in conf
    assert "pause_minority" in conf
    haproxy = HA["configs"]["haproxy-cfg"]["content"]
    for node in nodes:
        assert f"server {node} {node}:5672 check" in haproxy
        assert node in SERVICES["rabbitmq"]["depends_on"]


def test_three_mongodb_members_form_one_replica_set() -> None:
    members = [f"mongodb-{n}" for n in (1, 2, 3)]
    initiate = " ".join(SERVICES["mongodb-init"]["command"])
    for member in members:
        spec = SERVICES[member]
        assert spec["command"][:3] == ["mongod", "--replSet", "rs0"]
        assert f'host: "{member}:27017"' in initiate
    assert (
        SERVICES["record"]["environment"]["MONGODB_URL"]
        == SERVICES["campaign"]["environment"]["MONGODB_URL"]
    )
    url = urlsplit(SERVICES["campaign"]["environment"]["MONGODB_URL"])
    assert url.netloc == ",".join(f"{m}:27017" for m in members)
    options = parse_qs(url.query)
    assert options["replicaSet"] == ["rs0"]
    assert options["retryWrites"] == ["true"]
    assert options["w"] == ["majority"]
    condition = SERVICES["campaign"]["depends_on"]["mongodb-init"]["condition"]
    assert condition == "service_completed_successfully"


@pytest.mark.parametrize("service", ["gateway", "campaign", "ingest", "dispatch", "record"])
def test_every_service_runs_twice_through_the_cluster_address(service: str) -> None:
    spec = SERVICES[service]
    assert spec["deploy"]["replicas"] == 2
    assert spec["command"] == ["python", "-m", service]
    url = urlsplit(FROM_ENVIRONMENT.sub("password", spec["environment"]["RABBITMQ_URL"]))
    assert url.hostname == "rabbitmq", "through HAProxy, not one node"
    assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    graceful = float(spec["environment"]["COHORT_GRACEFUL_TIMEOUT_S"])
    assert int(spec["stop_grace_period"].removesuffix("s")) > graceful


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_every_variable_is_a_real_setting(service: str) -> None:
    settings = SETTINGS[service]
    prefix = str(settings.model_config.get("env_prefix", ""))
    known = {(prefix + name).upper() for name in settings.model_fields} | SHARED
    unknown = set(SERVICES[service]["environment"]) - known
    assert not unknown, f"{service} sets variables no setting reads: {unknown}"


def test_no_secret_is_written_in_the_file() -> None:
    for name, spec in SERVICES.items():
        for key, value in (spec.get("environment") or {}).items():
            if any(word in key for word in ("SECRET", "PASS", "COOKIE")):
                assert FROM_ENVIRONMENT.fullmatch(str(value)), f"{name}: {key}"
        url = str((spec.get("environment") or {}).get("RABBITMQ_URL", ""))
        if url:
            assert FROM_ENVIRONMENT.search(url), f"{name}: the broker password is written in"
    example = (ROOT / ".env.ha.example").read_text()
    assert all(line.endswith("=") for line in example.splitlines() if "=" in line)


def test_the_gateway_is_balanced_over_both_instances() -> None:
    haproxy = HA["configs"]["haproxy-cfg"]["content"]
    assert "server-template gateway 2 gateway:8000 check" in haproxy
    assert "option httpchk GET /readyz" in haproxy
    assert "8000:8000" in SERVICES["rabbitmq"]["ports"]
    assert "ports" not in SERVICES["gateway"], "two instances cannot share one host port"
