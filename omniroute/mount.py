"""Mounting the push connectors' HTTP routes on the intake app."""

import logging

from aiohttp import web

from connectors import registry

log = logging.getLogger(__name__)


def mount_connectors(app: web.Application, names: list[str]) -> list[str]:
    """Mount the named connectors (all registered ones for ["all"]); returns those mounted."""
    selected = registry.names() if names == ["all"] else names
    mounted = []
    for name in selected:
        routes = registry.get(name).routes()
        if routes:
            app.router.add_routes(routes)
            mounted.append(name)
    log.info("connectors mounted: %s", ", ".join(mounted) or "none")
    return mounted
