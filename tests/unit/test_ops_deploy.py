"""Static checks of the container deploy files (no Docker engine on CI machines): the image is
multi-stage, runs as a fixed non-root uid with nothing but the venv from the build stage, and
compose wires Kafka, intake, router, Prometheus and Grafana with files that exist."""

from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def stages() -> list[list[str]]:
    out: list[list[str]] = []
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("FROM "):
            out.append([])
        if out and line.strip() and not line.lstrip().startswith("#"):
            out[-1].append(line.strip())
    return out


def test_image_is_multi_stage_non_root_and_lean() -> None:
    build, runtime = stages()
    assert build[0].endswith(" AS build")
    text = "\n".join(runtime)
    assert "USER 10001:10001" in runtime
    assert "COPY --from=build /opt/omniroute /opt/omniroute" in runtime
    for tool in ("apt-get", "gcc", "build-essential", "pip install", "COPY . "):
        assert tool not in text, tool
    build_text = "\n".join(build)
    assert "requirements.lock" in build_text and "pip uninstall -y pip" in build_text
    assert (DEPLOY / "Dockerfile.dockerignore").read_text().count("!requirements.lock") == 1


def compose() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return doc


def test_compose_runs_the_whole_stack_on_loopback() -> None:
    services = compose()["services"]
    expected = {"kafka", "topics", "intake", "router", "sla-tracker", "prometheus", "grafana"}
    assert expected <= set(services)
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_compose_mounts_exist_and_use_the_shipped_rules_and_dashboards() -> None:
    mounts = []
    for service in compose()["services"].values():
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("."):
                mounts.append(source)
                assert (DEPLOY / source).exists(), source
    assert "./prometheus/rules" in mounts and "./grafana/dashboards" in mounts
    scrape = yaml.safe_load((DEPLOY / "compose" / "prometheus.yml").read_text())
    jobs = {job["job_name"] for job in scrape["scrape_configs"]}
    shipped = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    # Same job names as the shipped config: the rules and the dashboard select on them.
    assert jobs <= {job["job_name"] for job in shipped["scrape_configs"]}
    assert {"omniroute-intake", "omniroute-router", "omniroute-sla-tracker"} <= jobs
