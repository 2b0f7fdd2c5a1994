"""Every settings model the processes read is in the generated configuration reference: a model
left out of omniroute.configref is configuration nobody can find in docs/configuration.md."""

import ast
from pathlib import Path

import pytest

from omniroute.configref import models

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("intake", "router", "omniroute", "connectors")
# The base of every connector's config; the connectors themselves come from the registry.
BASES = {"connectors.base.ConnectorConfig"}


def declared_settings() -> set[str]:
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and any(
                    isinstance(b, ast.Name) and b.id == "BaseSettings" for b in node.bases
                ):
                    found.add(f"{module}.{node.name}")
    return found - BASES


def test_every_settings_model_is_in_the_reference() -> None:
    documented = {f"{model.__module__}.{model.__qualname__}" for _, model in models()}
    declared = declared_settings()
    assert declared, "the scan found no settings models at all"
    assert declared - documented == set()


def test_publisher_and_event_loop_switches_are_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    for env in (
        "OMNIROUTE_INTAKE_PUBLISHER",
        "OMNIROUTE_INTAKE_GROUP_COMMIT_MS",
        "OMNIROUTE_EVENT_LOOP",
        "OMNIROUTE_CONNECT_HTTP_PORT",
    ):
        assert f"`{env}`" in text
