"""`omniroute` entry point. Each command module exposes `register(subparsers)` and sets a
`func(args) -> int` default; this file only assembles them."""

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "omniroute.commands.processes",  # intake, router, connect
    "omniroute.commands.topics",
    "omniroute.commands.schema",
    "omniroute.commands.tokens",
    "omniroute.commands.demo",
    "omniroute.commands.kafka",
    "omniroute.commands.configref",
    "connectors.normalize",
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
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    # Library chatter (aiokafka reconnect warnings) is noise at INFO for an operator.
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, logging.root.level))
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
