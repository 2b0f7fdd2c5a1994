"""`omniroute topics ensure`: create every topic omniroute uses, idempotently."""

import argparse
import asyncio
from pathlib import Path

from intake.admin import ensure_topics
from intake.topics import Topics
from omniroute.target import resolve_kafka
from router.config import load_config, load_default_config


def _ensure(args: argparse.Namespace) -> int:
    kafka = resolve_kafka()
    config = load_config(args.config) if args.config else load_default_config()
    specs = Topics(kafka.topic_prefix).specs(config.all_departments(), kafka.partitions)
    created = asyncio.run(ensure_topics(kafka, specs))
    for spec in specs:
        state = "created" if spec.name in created else "exists"
        print(
            f"{state:8} {spec.name} (partitions={spec.partitions}"
            f"{', compacted' if spec.compacted else ''})"
        )
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("topics", help="manage omniroute's Kafka topics")
    sub = p.add_subparsers(dest="topics_command", required=True)
    ensure = sub.add_parser("ensure", help="create missing topics (idempotent)")
    ensure.add_argument(
        "--config",
        type=Path,
        default=None,
        help="routing config naming the departments (default: built-in)",
    )
    ensure.set_defaults(func=_ensure)
