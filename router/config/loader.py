"""Loading YAML into a validated `RoutingConfig`, versioned by content hash, so every decision
can name the exact configuration that produced it."""

import hashlib
from importlib import resources
from pathlib import Path

import yaml

from intake.errors import ConfigError
from router.config.model import RoutingConfig

DEFAULT_CONFIG = "routing.yaml"


def parse_config(text: str, origin: str = "<string>") -> RoutingConfig:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping at the top level")
    data.pop("version", None)
    try:
        config = RoutingConfig.model_validate(data)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    version = hashlib.sha256(text.encode()).hexdigest()[:12]
    return config.model_copy(update={"version": version})


def load_config(path: Path) -> RoutingConfig:
    return parse_config(path.read_text(encoding="utf-8"), str(path))


def load_default_config() -> RoutingConfig:
    text = resources.files("router.defaults").joinpath(DEFAULT_CONFIG).read_text("utf-8")
    return parse_config(text, f"router/defaults/{DEFAULT_CONFIG}")
