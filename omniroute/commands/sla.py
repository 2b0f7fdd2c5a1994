"""`omniroute sla-tracker`: the standalone SLA tracker (lifecycle events + department topics ->
SLA metrics, at-risk/breach alerts, /status)."""

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
