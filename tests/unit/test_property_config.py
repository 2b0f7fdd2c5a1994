"""Property tests of the routing config loader: any text, mutated default YAML and
type-confused config documents give a validated config or a `ConfigError` naming the
problem, never another exception; a config that loads also compiles into rules."""

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from intake.errors import ConfigError
from router.config.loader import load_config, parse_config
from router.rules import RuleSet
from tests.unit.property_helpers import JSON, PROPERTY, json_mutated, mutated

DEFAULT = resources.files("router.defaults").joinpath("routing.yaml").read_text("utf-8")
DEFAULT_DOC: Any = yaml.safe_load(DEFAULT)
TOKENS = ["&a [*a]", "!!python/object:os.system", "? ", "- ", ": ", "*x", "{", "[", "'", '"',
          "\t", "%YAML 1.1", "---", "...", "|"]  # fmt: skip
YAML_TOKENS = st.sampled_from(TOKENS)


def loads_or_clear_error(text: str) -> None:
    try:
        config = parse_config(text, "property.yaml")
    except ConfigError as exc:
        assert str(exc)
        return
    RuleSet(config.rules)


@PROPERTY
@given(st.text(max_size=500))
def test_any_text(text: str) -> None:
    loads_or_clear_error(text)


@PROPERTY
@given(mutated([DEFAULT.encode()], max_steps=4))
def test_mutated_default_yaml(raw: bytes) -> None:
    loads_or_clear_error(raw.decode("utf-8", "replace"))


@PROPERTY
@given(json_mutated([DEFAULT_DOC], max_steps=4))
def test_type_confused_documents(raw: bytes) -> None:
    loads_or_clear_error(raw.decode())  # JSON is YAML


@PROPERTY
@given(st.lists(st.one_of(YAML_TOKENS, st.text(max_size=8)), max_size=30), JSON)
def test_yaml_syntax_soup(parts: list[str], value: Any) -> None:
    loads_or_clear_error("".join(parts) + "\n" + yaml.safe_dump(value))


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "routing.yaml"
    path.write_bytes(DEFAULT.encode() + b"\n# \xff\xfe not utf-8\n")
    try:
        load_config(path)
    except ConfigError as exc:
        assert "routing.yaml" in str(exc)
    else:
        raise AssertionError("invalid UTF-8 was accepted")
