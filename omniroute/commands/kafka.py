"""`omniroute kafka fetch|run|start|stop`: the embedded single-node Apache Kafka."""

import argparse

from omniroute.localkafka.__main__ import main as localkafka_main
from omniroute.target import local_data_dir


def _run(args: argparse.Namespace) -> int:
    argv = [
        args.action,
        "--data-dir",
        str(args.data_dir or local_data_dir()),
        "--port",
        str(args.port),
    ]
    return localkafka_main(argv)


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("kafka", help="the embedded local Apache Kafka (development)")
    p.add_argument("action", choices=["fetch", "run", "start", "stop"])
    p.add_argument("--data-dir", default=None, help="default: ~/.cache/omniroute/local-kafka")
    p.add_argument("--port", type=int, default=9092, help="client port on 127.0.0.1")
    p.set_defaults(func=_run)
