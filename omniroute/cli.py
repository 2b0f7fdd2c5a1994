"""`omniroute` entry point. Each command module exposes `register(subparsers)` and sets a
`func(args) -> int` default; this file only assembles them."""

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from prometheus_client import disable_created_metrics

from omniroute import logs

COMMAND_MODULES = (
    "omniroute.commands.processes",  # intake, router, connect
    "omniroute.commands.topics",
    "omniroute.commands.schema",
    "omniroute.commands.tokens",
    "omniroute.commands.demo",
    "omniroute.commands.kafka",
    "omniroute.commands.configref",
    "connectors.normalize",
    "omniroute.commands.ops_deadletter",
    "omniroute.commands.ops_replay",
    "omniroute.commands.ops_status",
    "omniroute.commands.sla",
    "omniroute.commands.routing",  # check-config, test-rules, classify, explain
    "router.classify.commands",  # train, eval (the statistical layer alone)
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omniroute",
        description="Omnichannel intake router for after-sales customer service, on Kafka.",
    )
    parser.add_argument(
        "--log-level",
        default=os.environ.get("OMNIROUTE_LOG_LEVEL", "INFO"),
        help="DEBUG, INFO, WARNING, ERROR (env OMNIROUTE_LOG_LEVEL)",
    )
    parser.add_argument(
        "--log-format",
        choices=("auto", "json", "text"),
        default=logs.format_from_env(),
        help="json lines, text, or auto: text on a terminal (env OMNIROUTE_LOG_FORMAT)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # `_created` samples double every counter's and histogram's series count for a timestamp
    # Prometheus derives itself; one process-wide switch, before any metric is made.
    disable_created_metrics()  # type: ignore[no-untyped-call]
    # JSON lines (text on a terminal), PII redacted, correlation ids: omniroute/logs.py.
    logs.configure(args.log_level, args.log_format)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
