"""python -m omniroute.localkafka fetch | run | start | stop  [--data-dir D] [--port P]

fetch: only get the jars. run: foreground until Ctrl-C. start: leave the broker running in the
background (pid in D/broker.pid, address in D/bootstrap). stop: end the one started on D.
"""

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from omniroute.localkafka.broker import LocalKafka
from omniroute.localkafka.errors import LocalKafkaError
from omniroute.localkafka.jars import KAFKA_VERSION, cache_dir, ensure_jars
from omniroute.localkafka.process import BOOTSTRAP_FILE


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "fetch":
            print(ensure_jars())
            return 0
        broker = LocalKafka(args.data_dir, port=args.port, controller_port=args.controller_port)
        if args.command == "stop":
            return _stop(broker, args.timeout)
        if args.command == "start":
            if broker.running:  # so `make demo` can say "start" without tracking state
                print(_recorded_bootstrap(broker), flush=True)
                return 0
            print(broker.start(args.timeout), flush=True)
            broker.detach()
            return 0
        return _run(broker, args.timeout)
    except LocalKafkaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m omniroute.localkafka",
        description=f"Embedded single-node Apache Kafka {KAFKA_VERSION} on 127.0.0.1",
    )
    parser.add_argument("command", choices=["fetch", "run", "start", "stop"])
    parser.add_argument(
        "--data-dir", type=Path, default=cache_dir() / "local-kafka",
        help="storage, server.properties, broker.log, pidfile (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--port", type=int, default=9092, help="client port, 0 = any free one")
    parser.add_argument("--controller-port", type=int, default=0, help="0 = any free one")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds to start or stop")
    return parser


def _recorded_bootstrap(broker: LocalKafka) -> str:
    path = broker.data_dir / BOOTSTRAP_FILE
    return path.read_text("ascii").strip() if path.is_file() else broker.bootstrap


def _stop(broker: LocalKafka, timeout: float) -> int:
    if not broker.running:
        print(f"no broker running on {broker.data_dir}")
    broker.stop(timeout)
    return 0


def _run(broker: LocalKafka, timeout: float) -> int:
    def terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    # SIGTERM (a supervisor, `kill`) takes the same clean path as Ctrl-C; SIGINT is set too
    # because a shell starting us in the background leaves it ignored.
    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGINT, terminate)
    try:
        print(f"Kafka {KAFKA_VERSION} ready on {broker.start(timeout)}; log: {broker.log_path}")
        print("Ctrl-C stops it.", flush=True)
        while broker.running:
            time.sleep(0.5)
        print(f"the broker exited; see {broker.log_path}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        broker.stop()


if __name__ == "__main__":
    sys.exit(main())
