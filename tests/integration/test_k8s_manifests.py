"""deploy/k8s renders (pinned kustomize, built by `go install` on first use) and every object of
every overlay validates against the Kubernetes API schemas (kubernetes-validate, strict) or, for
the ServiceMonitor custom resource, against the schema vendored in deploy/k8s/schemas. Then the
properties the deployment relies on are checked on the rendered objects."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from router.config.loader import parse_config
from tests.integration.requires import require_binary

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
Objects = dict[tuple[str, str], dict[str, Any]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Objects]:
    if not Path("/usr/local/go/bin/go").is_file():  # tools.sh finds it there off PATH too
        require_binary("go", "golang (1.24 or newer)")
    out = tmp_path_factory.mktemp("k8s")
    # First run compiles kustomize (minutes on 2 busy cores); later runs reuse the cache dir.
    done = subprocess.run(
        [str(K8S / "check.sh"), str(out)], check=False, capture_output=True, text=True, timeout=1500
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 invalid" in done.stdout
    return {
        p.stem: {(o["kind"], o["metadata"]["name"]): o for o in yaml.safe_load_all(p.read_text())}
        for p in sorted(out.glob("*.yaml"))
    }


def by_kind(objects: Objects, kind: str) -> dict[str, dict[str, Any]]:
    return {name: o for (k, name), o in objects.items() if k == kind}


def containers(objects: Objects) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for kind in ("Deployment", "StatefulSet"):
        for workload in by_kind(objects, kind).values():
            pod = workload["spec"]["template"]["spec"]
            for c in pod["containers"]:
                yield pod, c


def test_overlays_render(rendered: dict[str, Objects]) -> None:
    assert set(rendered) == {"dev", "production"}


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_workloads_are_hardened_and_probed(rendered: dict[str, Objects], overlay: str) -> None:
    seen = 0
    for pod, c in containers(rendered[overlay]):
        seen += 1
        assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"]
        assert pod["automountServiceAccountToken"] is False
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"]
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert {"cpu", "memory"} <= set(c["resources"]["requests"]) <= set(c["resources"]["limits"])
        assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert c["readinessProbe"]["httpGet"]["path"] == "/readyz"
        secrets = {e["secretRef"]["name"] for e in c["envFrom"] if "secretRef" in e}
        assert secrets == {secret_name(rendered[overlay], "omniroute-kafka-credentials")}
    assert seen == 3  # intake, router, SLA tracker


def secret_name(objects: Objects, base: str) -> str:
    """Generated secrets (dev) carry a hash suffix; external ones (production) do not."""
    generated = [n for n in by_kind(objects, "Secret") if n.startswith(f"{base}-")]
    return generated[0] if generated else base


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_router_has_stable_ids_and_rolls_on_rule_changes(
    rendered: dict[str, Objects], overlay: str
) -> None:
    objects = rendered[overlay]
    router = objects[("StatefulSet", "omniroute-router")]
    pod = router["spec"]["template"]["spec"]
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    ref = env["OMNIROUTE_ROUTER_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert ref == "metadata.name"
    routing = [n for n in by_kind(objects, "ConfigMap") if n.startswith("omniroute-routing-")]
    assert len(routing) == 1  # hash-suffixed: a rules change is a new name, so pods roll
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["routing"]["configMap"]["name"] == routing[0]
    text = objects[("ConfigMap", routing[0])]["data"]["routing.yaml"]
    assert text == (ROOT / "router" / "defaults" / "routing.yaml").read_text(encoding="utf-8")
    parse_config(text)  # the deployed rules are valid rules
    assert by_kind(objects, "PodDisruptionBudget")["omniroute-router"]["spec"]["maxUnavailable"]


@pytest.mark.parametrize("overlay", ["dev", "production"])
def test_intake_scales_and_everything_is_scraped(
    rendered: dict[str, Objects], overlay: str
) -> None:
    objects = rendered[overlay]
    hpa = objects[("HorizontalPodAutoscaler", "omniroute-intake")]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "omniroute-intake"
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    assert "omniroute-intake" in by_kind(objects, "PodDisruptionBudget")
    monitor = objects[("ServiceMonitor", "omniroute")]["spec"]
    port = monitor["endpoints"][0]["port"]
    services = by_kind(objects, "Service")
    # Service names become Prometheus job names, which deploy/prometheus rules select on.
    assert set(services) == {"omniroute-intake", "omniroute-router", "omniroute-sla-tracker"}
    for service in services.values():
        labels = service["metadata"]["labels"]
        assert monitor["selector"]["matchLabels"].items() <= labels.items()
        assert port in {p["name"] for p in service["spec"]["ports"]}


def test_secrets_stay_out_of_the_production_render(rendered: dict[str, Objects]) -> None:
    assert by_kind(rendered["production"], "Secret") == {}
    assert len(by_kind(rendered["dev"], "Secret")) == 2


def test_the_validator_rejects_broken_objects(rendered: dict[str, Objects], tmp_path: Path) -> None:
    deployment = dict(rendered["dev"][("Deployment", "omniroute-intake")])
    deployment["spec"] = {**deployment["spec"], "replica": 2}  # misspelt field
    monitor = dict(rendered["dev"][("ServiceMonitor", "omniroute")])
    monitor["spec"] = {**monitor["spec"], "endpoints": [{"port": "metrics", "interval": "15 s"}]}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump_all([deployment, monitor]))
    tools = subprocess.run([str(K8S / "tools.sh")], capture_output=True, text=True, check=True)
    env = dict(line.split("=", 1) for line in tools.stdout.splitlines())
    python = str(Path(env["KUBERNETES_VALIDATE"]).parent / "python")
    done = subprocess.run(
        [python, str(K8S / "validate.py"), "1.37.0", str(broken)],
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "0 valid, 2 invalid" in done.stdout, done.stdout
    assert "replica" in done.stdout and "15 s" in done.stdout
