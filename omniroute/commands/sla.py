"""`omniroute sla-tracker`: the SLA tracker, exactly-once over `omniroute.events` (the router's
`dispatched` records + the department tools' lifecycle events -> SLA metrics, at-risk/breach
alerts, /status; state in the changelog `omniroute.sla.state`). Run one or more instances."""

import argparse
import sys

from intake.errors import ConfigError, KafkaUnavailable
from omniroute.signals import run_until_signal
from omniroute.target import resolve_kafka
from router.settings import RouterSettings
from router.sla.service import serve
from router.sla.settings import SlaSettings


def _run(_: argparse.Namespace) -> int:
    kafka = resolve_kafka()
    settings, router = SlaSettings(), RouterSettings()
    try:
        run_until_signal(lambda stop: serve(settings, router, kafka, stop))
    except (KafkaUnavailable, ConfigError) as exc:
        print(f"omniroute sla-tracker: {exc}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "sla-tracker",
        help="run the SLA tracker (SLA metrics, at-risk/breach alerts, /status page)",
    )
    p.set_defaults(func=_run)
