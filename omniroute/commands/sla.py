"""`omniroute sla-tracker`: the SLA tracker, exactly-once over `omniroute.events` (the router's
`dispatched` records + the department tools' lifecycle events -> SLA metrics, at-risk/breach
alerts, /status; state in the changelog `omniroute.sla.state`). Run one or more instances."""

import argparse
import sys

from intake.errors import ConfigError, KafkaUnavailable
from intake.settings import KafkaSettings
from omniroute import startup
from omniroute.signals import run_until_signal
from router.service import load_routing
from router.settings import RouterSettings
from router.sla.service import serve
from router.sla.settings import SlaSettings


def _prepare(create: bool) -> tuple[KafkaSettings, SlaSettings, RouterSettings]:
    """Same start-up checks as the router: settings, routing config, Kafka, topics."""
    kafka = startup.kafka_settings()
    settings, router = startup.load(SlaSettings), startup.load(RouterSettings)
    try:
        departments = load_routing(router).all_departments()
    except (ConfigError, OSError) as exc:
        raise startup.config_error(exc) from None
    specs = startup.router_specs(kafka, departments)
    startup.preflight(kafka, specs, startup.create_requested(create))
    return kafka, settings, router


def _run(args: argparse.Namespace) -> int:
    try:
        kafka, settings, router = _prepare(args.create_topics)
    except startup.StartupError as exc:
        print(f"omniroute sla-tracker: {exc}", file=sys.stderr)
        return 1
    try:
        run_until_signal(lambda stop: serve(settings, router, kafka, stop))
    except (KafkaUnavailable, ConfigError) as exc:
        print(f"omniroute sla-tracker: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "sla-tracker",
        help="run an SLA tracker instance (SLA metrics, at-risk/breach alerts, /status page)",
    )
    p.add_argument(
        "--create-topics",
        action="store_true",
        help="create missing topics instead of refusing to start (env OMNIROUTE_CREATE_TOPICS)",
    )
    p.set_defaults(func=_run)
