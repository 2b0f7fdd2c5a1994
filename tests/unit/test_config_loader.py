"""Routing config loading: every problem with file, line and key; directories of files;
content versions; the import graph between router.config and router.sla."""

import subprocess
import sys
from pathlib import Path

import pytest

from intake.errors import ConfigError
from router.config import load_config, load_default_config
from router.config.loader import build, config_files, parse_config
from router.config.yamlmap import ConfigProblems

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "routing"


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigProblems) as info:
        load_config(path)
    return [str(p) for p in info.value.problems]


def test_every_structural_problem_is_reported_with_its_line_and_key() -> None:
    found = problems(FIXTURES / "bad.yaml")
    name = str(FIXTURES / "bad.yaml")
    assert f"{name}:8: rules[1].keywords: Input should be a list" in found
    assert any(
        p.startswith(f"{name}:11: rules[2].regex[0]: invalid regular expression") for p in found
    )
    assert any(p.startswith(f"{name}:14: sla.first_response_seconds.fax (key):") for p in found)
    assert f"{name}:15: sla.bogus: Extra inputs are not permitted" in found
    assert len(found) == 4


def test_cross_references_are_located_too() -> None:
    found = problems(FIXTURES / "crossref.yaml")
    name = str(FIXTURES / "crossref.yaml")
    assert f"{name}:4: rules[1].department: unknown department 'shipping'" in found
    assert f"{name}:4: rules[1].id: duplicate rule ids: a (first at rules[0])" in found
    assert f"{name}:7: sla.targets[0].calendar: unknown calendar 'nowhere'" in found


def test_yaml_syntax_errors_and_repeated_keys_name_the_line() -> None:
    with pytest.raises(ConfigProblems, match=r"x.yaml:2: invalid YAML"):
        build([("x.yaml", "departments: [a\nrules: [\n")])
    with pytest.raises(ConfigProblems, match=r"y.yaml:3: departments: key given twice"):
        build([("y.yaml", "departments: [a]\nrules: []\ndepartments: [b]\n")])
    with pytest.raises(ConfigError, match="expected a mapping"):
        parse_config("- just a list\n")


def test_a_directory_merges_its_files_and_skips_rule_tests() -> None:
    shop = FIXTURES / "shop"
    assert [p.name for p in config_files(shop)] == [
        "00-base.yaml",
        "10-orders.yaml",
        "20-logistics.yaml",
    ]
    config = load_config(shop)
    assert [r.id for r in config.rules] == [
        "queue_orders",
        "orders_cancel",
        "where_is_it",
        "supplier_mail",
        "zh_only_returns",
    ]
    assert config.classifier.threshold == 0.6 and len(config.version) == 12


def test_problems_in_a_later_file_point_into_that_file(tmp_path: Path) -> None:
    rule = "  - {id: r, department: orders, keywords: [x]}\n"
    (tmp_path / "a.yaml").write_text("departments: [orders]\nrules:\n" + rule)
    (tmp_path / "b.yaml").write_text("rules:\n  - {id: s, department: nope, keywords: [y]}\n")
    found = problems(tmp_path)
    assert found == [f"{tmp_path / 'b.yaml'}:2: rules[1].department: unknown department 'nope'"]
    (tmp_path / "b.yaml").write_text("fallback_department: t\n")
    (tmp_path / "c.yaml").write_text("fallback_department: u\n")
    assert problems(tmp_path) == [
        f"{tmp_path / 'c.yaml'}:1: fallback_department: set twice (also in {tmp_path / 'b.yaml'})"
    ]


def test_version_is_a_content_hash_of_all_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("departments: [orders]\n")
    first = load_config(tmp_path).version
    (tmp_path / "b.yaml").write_text("rules: []\n")
    second = load_config(tmp_path).version
    assert first != second
    assert load_config(tmp_path).version == second


def test_model_path_is_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("departments: [a]\nclassifier: {model: models/m.bin}\n")
    assert load_config(tmp_path / "r.yaml").classifier.model == str(tmp_path / "models/m.bin")


def test_defaults_validate_and_cover_the_design_targets() -> None:
    config = load_default_config()
    assert config.sla.first_response_seconds["webchat"] == 30
    assert config.sla.first_response_seconds["phone"] == 15
    assert config.priority.tiers["vip"] == "high"


@pytest.mark.parametrize(
    "first",
    [
        "router.sla.alerts",
        "router.sla.config",
        "router.config",
        "router.sla.tracker",
        "router.policy",
    ],
)
def test_either_side_of_the_config_sla_import_can_load_first(first: str) -> None:
    code = f"import {first}; import router.config.routing; import router.sla.config"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
