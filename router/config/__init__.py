"""Routing configuration: one validated, versioned (content-hashed) model.

Exports resolve lazily: `router.sla` imports `router.config.model` while the full
`RoutingConfig` imports `router.sla`'s calendar, and an eager package import would close
that loop.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from router.config.loader import load_config, load_default_config
    from router.config.routing import RoutingConfig

__all__ = ["RoutingConfig", "load_config", "load_default_config"]
_WHERE = {
    "RoutingConfig": "router.config.routing",
    "load_config": "router.config.loader",
    "load_default_config": "router.config.loader",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'router.config' has no attribute '{name}'")
    return getattr(import_module(_WHERE[name]), name)
