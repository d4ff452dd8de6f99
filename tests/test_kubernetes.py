"""deploy/k8s without a cluster: every manifest is validated against its schema (Kubernetes' own
from the kubernetes-validate package, strict; the operators' custom resources against the
schemas in deploy/schemas), the kustomize base and dev overlay are rendered with
``kubectl kustomize`` (kustomize is built into kubectl; no network) and the rendered objects are
checked for what running Cohort needs: probes, resources, graceful shutdown, disruption budgets,
secrets taken from Secrets, autoscaling on exactly the queues each service consumes, and the
runbook's scaling table saying the same."""

import json
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from cohort_contracts.routing import ALL_ROUTES
from cohort_platform.settings import RabbitSettings
from cohort_platform.tracing import TracingSettings
from fake_gp.config import Settings as FakeGpSettings

from .service_settings import BACK_END

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "deploy" / "schemas"
KUBERNETES_VERSION = "1.30.0"
SERVICES = ("gateway", "campaign", "ingest", "dispatch", "record")
SIMULATORS = ("pds-sim", "firetext-sim", "fake-gp", "mesh-sandbox")
SETTINGS: dict[str, type[BaseSettings]] = {
    **BACK_END,
    "mesh-sandbox": FakeGpSettings,  # NHS England's image: no settings of ours
}
SHARED = {n.upper() for n in (*RabbitSettings.model_fields, *TracingSettings.model_fields)}


def documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


def validate(document: dict[str, Any]) -> None:
    group, _, version = document["apiVersion"].rpartition("/")
    schema = SCHEMAS / group / f"{document['kind'].lower()}_{version}.json"
    if group and schema.exists():
        jsonschema.Draft202012Validator(json.loads(schema.read_text())).validate(document)
        return
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_manifest_file_is_valid(path: Path) -> None:
    docs = documents(path.read_text())
    assert docs
    for document in docs:
        if _is_patch(path, document):
            continue
        validate(document)


def _is_patch(path: Path, document: dict[str, Any]) -> bool:
    """Overlay patches are partial objects by design; the rendered overlay is validated whole."""
    kustomization = yaml.safe_load((path.parent / "kustomization.yaml").read_text())
    return any(p.get("path") == path.name for p in kustomization.get("patches", []))


def test_the_custom_resource_schemas_reject_what_the_operators_would() -> None:
    trigger: dict[str, object] = {"type": "rabbitmq"}
    spec: dict[str, object] = {"scaleTargetRef": {"name": "x"}, "triggers": [trigger]}
    scaled: dict[str, object] = {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "x"},
        "spec": spec,
    }
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled)  # a trigger without metadata
    trigger["metadata"] = {"queueName": "q"}
    validate(scaled)
    spec["minReplicas"] = 1  # HPA's spelling, not KEDA's
    with pytest.raises(jsonschema.ValidationError):
        validate(scaled)


@cache
def rendered(target: str) -> tuple[dict[str, Any], ...]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    out = subprocess.run(
        [kubectl, "kustomize", str(K8S / target)], capture_output=True, text=True, check=True
    )
    return tuple(documents(out.stdout))


def objects(target: str, kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in rendered(target) if d["kind"] == kind}


@pytest.mark.parametrize("target", ["base", "overlays/dev"])
def test_the_rendered_kustomization_is_valid(target: str) -> None:
    for document in rendered(target):
        validate(document)
    assert not objects(target, "Secret"), "secrets are created by the operator, never committed"


def test_the_simulators_run_in_dev_only() -> None:
    assert set(objects("base", "Deployment")) == set(SERVICES)
    assert set(objects("overlays/dev", "Deployment")) == {*SERVICES, *SIMULATORS}
    assert {d["metadata"].get("namespace") for d in rendered("overlays/dev")} == {"cohort-dev"}


@pytest.mark.parametrize("target", ["base", "overlays/dev"])
def test_every_deployment_can_be_run_and_stopped_safely(target: str) -> None:
    config = {name: data.get("data", {}) for name, data in objects(target, "ConfigMap").items()}
    budgets = objects(target, "PodDisruptionBudget")
    for name, deployment in objects(target, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert ":latest" not in container["image"]
        assert container["readinessProbe"]
        assert container["livenessProbe"]
        assert {"cpu", "memory"} <= set(container["resources"]["requests"])
        assert {"cpu", "memory"} <= set(container["resources"]["limits"])
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        if name in SIMULATORS:
            continue
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        env = _environment(container, config)
        graceful = float(env.get("COHORT_GRACEFUL_TIMEOUT_S", 30))
        assert pod["terminationGracePeriodSeconds"] > graceful + 5, name
        assert any(
            b["spec"]["selector"]["matchLabels"].items()
            <= deployment["spec"]["template"]["metadata"]["labels"].items()
            for b in budgets.values()
        ), f"{name} has no PodDisruptionBudget"


def _environment(container: dict[str, Any], config: dict[str, dict[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config[source["configMapRef"]["name"]])
    for variable in container.get("env", []):
        env[variable["name"]] = variable.get("value", "<from a Secret>")
    return env


@pytest.mark.parametrize("target", ["base", "overlays/dev"])
def test_every_variable_set_is_a_setting_and_secrets_come_from_secrets(target: str) -> None:
    config = {name: data.get("data", {}) for name, data in objects(target, "ConfigMap").items()}
    for name, deployment in objects(target, "Deployment").items():
        [container] = deployment["spec"]["template"]["spec"]["containers"]
        settings = SETTINGS[name]
        prefix = str(settings.model_config.get("env_prefix", ""))
        known = {(prefix + f).upper() for f in settings.model_fields} | SHARED | {"MONGODB_URL"}
        env = _environment(container, config)
        unknown = {v for v in env if v not in known and v.split("_")[0] in _prefixes(name)}
        assert not unknown, f"{name} sets variables no setting reads: {unknown}"
        for variable in container.get("env", []):
            if _is_secret(variable["name"]):
                assert "valueFrom" in variable, (
                    f"{name}: {variable['name']} must come from a Secret"
                )
        for key in env:
            assert not _is_secret(key) or env[key] == "<from a Secret>", f"{name}: {key}"


def _is_secret(variable: str) -> bool:
    """Credentials, and the connection strings that carry them."""
    words = ("SECRET", "PASSWORD", "API_KEY", "SHARED_KEY", "ACCESS_TOKEN")
    return variable in ("RABBITMQ_URL", "MONGODB_URL") or any(w in variable for w in words)


def _prefixes(name: str) -> set[str]:
    return {"GATEWAY", "CAMPAIGN", "INGEST", "DISPATCH", "RECORD", "PDS", "FIRETEXT", "FAKE"}


def test_each_worker_scales_on_exactly_the_queues_it_consumes() -> None:
    scaled = objects("base", "ScaledObject")
    auth = objects("base", "TriggerAuthentication")
    namespace = objects("base", "ConfigMap")["cohort-config"]["data"]["COHORT_NAMESPACE"]
    for service in ("campaign", "ingest", "dispatch", "record"):
        spec = scaled[service]["spec"]
        assert spec["scaleTargetRef"]["name"] == service
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        queues = set()
        for trigger in spec["triggers"]:
            assert trigger["type"] == "rabbitmq"
            assert trigger["metadata"]["mode"] == "QueueLength"
            assert int(trigger["metadata"]["value"]) > 0
            assert trigger["authenticationRef"]["name"] in auth
            queues.add(trigger["metadata"]["queueName"])
        consumed = {f"{namespace}.{r.queue}" for r in ALL_ROUTES if r.consumer == service}
        assert queues == consumed, service
    assert "gateway" not in scaled  # HTTP, no queue: a fixed replica count
    [reference] = auth["cohort-rabbitmq"]["spec"]["secretTargetRef"]
    assert reference["parameter"] == "host"


def runbook_scaling_table() -> dict[str, tuple[set[str], str]]:
    """docs/operations.md's scaling table: each service's queues (``.x`` after a first full name
    shares its prefix) and its min-max, as written there."""
    section = (ROOT / "docs" / "operations.md").read_text().split("\n## Scaling\n", 1)[1]
    rows = re.search(r"^\|.*?(?=\n\n)", section, flags=re.MULTILINE | re.DOTALL)
    assert rows, "docs/operations.md#scaling has no table"
    table: dict[str, tuple[set[str], str]] = {}
    for line in rows[0].splitlines()[2:]:
        service, queues, bounds = (cell.strip() for cell in line.strip("|").split("|")[:3])
        names = re.findall(r"`([^`]+)`", queues)
        prefix = names[0].split(".")[0] if names else ""
        table[service] = ({prefix + n if n.startswith(".") else n for n in names}, bounds)
    return table


def test_the_runbooks_scaling_table_is_what_keda_does() -> None:
    """An operator sizing a service reads the runbook's table; it must name the queues and the
    bounds the ScaledObjects actually have."""
    scaled = objects("base", "ScaledObject")
    namespace = objects("base", "ConfigMap")["cohort-config"]["data"]["COHORT_NAMESPACE"]
    table = runbook_scaling_table()
    assert set(table) == {*scaled, "gateway"}, "docs/operations.md#scaling: one row per service"
    for service, obj in scaled.items():
        spec = obj["spec"]
        queues = {
            t["metadata"]["queueName"].removeprefix(f"{namespace}.") for t in spec["triggers"]
        }
        bounds = f"{spec['minReplicaCount']}\N{EN DASH}{spec['maxReplicaCount']}"
        assert table[service] == (queues, bounds), f"docs/operations.md#scaling, {service}"


def test_the_broker_and_the_store_are_replicated_in_the_base() -> None:
    [rabbit] = objects("base", "RabbitmqCluster").values()
    [mongo] = objects("base", "MongoDBCommunity").values()
    assert rabbit["spec"]["replicas"] == 3
    assert "quorum_queue.initial_cluster_size = 3" in rabbit["spec"]["rabbitmq"]["additionalConfig"]
    assert mongo["spec"]["members"] == 3
    assert mongo["spec"]["type"] == "ReplicaSet"
    campaign = objects("base", "Deployment")["campaign"]["spec"]["template"]["spec"]
    [url] = [e for e in campaign["containers"][0]["env"] if e["name"] == "MONGODB_URL"]
    # The operator's connection-string Secret names every member and the replica set.
    assert url["valueFrom"]["secretKeyRef"]["name"] == "cohort-mongodb-admin-cohort"
