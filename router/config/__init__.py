"""Routing configuration: one validated, versioned (content-hashed) model."""

from router.config.loader import load_config, load_default_config
from router.config.model import RoutingConfig

__all__ = ["RoutingConfig", "load_config", "load_default_config"]
