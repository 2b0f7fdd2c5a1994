"""The shipped Prometheus config and rules, checked and unit-tested by Debian's promtool."""

import subprocess
from pathlib import Path

import pytest

from tests.integration.requires import require_binary

PROM_DIR = Path(__file__).resolve().parents[2] / "deploy" / "prometheus"


def _promtool(*args: str) -> str:
    promtool = require_binary("promtool", "prometheus")
    done = subprocess.run(
        [promtool, *args], cwd=PROM_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_rules_are_valid() -> None:
    rules = sorted(str(p.relative_to(PROM_DIR)) for p in (PROM_DIR / "rules").glob("*.yml"))
    assert rules
    out = _promtool("check", "rules", *rules)
    assert "SUCCESS" in out


def test_scrape_config_is_valid() -> None:
    _promtool("check", "config", "prometheus.yml")


@pytest.mark.parametrize("suite", sorted(p.name for p in (PROM_DIR / "tests").glob("*.yml")))
def test_rule_unit_tests(suite: str) -> None:
    out = _promtool("test", "rules", f"tests/{suite}")
    assert "SUCCESS" in out
