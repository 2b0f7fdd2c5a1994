"""`omniroute demo`: the whole data path on one machine. Starts the embedded Apache Kafka (or
uses OMNIROUTE_KAFKA_BOOTSTRAP), creates the topics, runs intake + router, POSTs sample
messages over HTTP and prints where each one was routed, read back from the department topics."""

import argparse
import asyncio
import contextlib
import logging
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

from intake.settings import KafkaSettings
from omniroute.demo_flow import run_flow
from omniroute.localkafka import LocalKafka


def _samples() -> list[dict[str, Any]]:
    from intake import serde

    raw = resources.files("omniroute").joinpath("demo_samples.json").read_bytes()
    samples: list[dict[str, Any]] = serde.loads_obj(raw)
    return samples


def _quiet() -> None:
    # The demo checks its own outcome; per-request access lines and aiokafka's transient
    # "coordinator not available" while a new group's offsets topic is created are noise here.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)


def _run(args: argparse.Namespace) -> int:
    _quiet()
    kafka = KafkaSettings()
    samples = _samples()
    if kafka.bootstrap:
        prefix = "omniroute-demo" if kafka.topic_prefix == "omniroute" else kafka.topic_prefix
        kafka = kafka.model_copy(update={"topic_prefix": prefix})
        return asyncio.run(run_flow(kafka, samples))
    with tempfile.TemporaryDirectory(prefix="omniroute-demo-") as tmp:
        print("starting the embedded Apache Kafka (first run downloads its jars)...", flush=True)
        with LocalKafka(Path(tmp) / "kafka") as broker:
            print(f"Kafka ready on {broker.bootstrap}", flush=True)
            kafka = kafka.model_copy(update={"bootstrap": broker.bootstrap, "partitions": 3})
            with contextlib.suppress(KeyboardInterrupt):
                return asyncio.run(run_flow(kafka, samples))
    return 130


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("demo", help="local Kafka + intake + router + sample messages")
    p.set_defaults(func=_run)
