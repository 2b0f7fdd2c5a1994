"""Choosing and running the publisher. Environment: `OMNIROUTE_INTAKE_*` (publisher fields).

`transactional` (default): 2xx only after a Kafka commit, and a 503 is never followed by the
record becoming visible to read_committed readers, so every message answered 2xx is on the
intake topic exactly once. `idempotent`: one round trip less per request, but a timed-out
send may still be written and the sender's retry then writes a second copy (which the router's
exact dedup absorbs). `bench/publisher_bench.py` measures the difference.
"""

import functools
import itertools
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.kafka import durable_producer, start_producer
from intake.publisher import Publisher
from intake.settings import KafkaSettings
from intake.topics import Topics
from intake.txn_doubt import committed_ids
from intake.txn_producer import txn_producer
from intake.txn_publisher import TxnPublisher
from intake.txn_visible import StableOffsets

INTAKE = "intake"
_SEQUENCE = itertools.count()


class PublisherSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_INTAKE_", frozen=True, extra="ignore")

    publisher: Literal["transactional", "idempotent"] = Field(
        "transactional",
        description="transactional: a 2xx'd message is on Kafka exactly once, a 503'd one "
        "never becomes visible; idempotent: cheaper, a retried timeout may leave two copies",
    )
    transactional_id: str | None = Field(
        None,
        description="Kafka transactional.id; two live instances must never share one. Unset = "
        "omniroute-<component>-<hostname>-<pid>-<n>: unique among live processes, and stable "
        "across restarts in a container, so a successor aborts what a crashed one left open",
    )
    group_commit_ms: float = Field(
        2.0, ge=0, le=1000, description="How long a transaction waits for more requests to join"
    )
    group_commit_max_records: int = Field(
        2000, ge=1, description="Most records in one transaction (a larger request is one alone)"
    )


def transactional_id(settings: PublisherSettings, name: str) -> str:
    if settings.transactional_id:
        # Pull connectors may read the same environment as the API: keep them apart.
        base = settings.transactional_id
        return base if name == INTAKE else f"{base}-{name}"
    # The per-process sequence keeps two publishers of one process (tests, one process
    # running several components) apart; the first one is -0, so the id survives a restart.
    return f"omniroute-{name}-{socket.gethostname()}-{os.getpid()}-{next(_SEQUENCE)}"


@asynccontextmanager
async def open_publisher(
    kafka: KafkaSettings,
    name: str,
    ack_timeout_s: float,
    settings: PublisherSettings | None = None,
) -> AsyncIterator[Publisher]:
    """A started publisher (bounded wait for Kafka, `KafkaUnavailable` past it), closed on exit."""
    settings = settings or PublisherSettings()
    topics = Topics(kafka.topic_prefix)
    publisher: Publisher
    if settings.publisher == "idempotent":
        producer = durable_producer(kafka, name)
        await start_producer(producer, kafka.connect_timeout_s)
        publisher = Publisher(producer, topics, ack_timeout_s)
    else:
        tid = transactional_id(settings, name)
        stable = StableOffsets(kafka)
        txn = TxnPublisher(
            lambda: txn_producer(kafka, name, tid, ack_timeout_s),
            topics,
            ack_timeout_s,
            functools.partial(committed_ids, kafka),
            linger_s=settings.group_commit_ms / 1000,
            max_records=settings.group_commit_max_records,
            confirm=stable.visible,
        )
        txn.closers.append(stable.close)
        await txn.start(kafka.connect_timeout_s)
        publisher = txn
    try:
        yield publisher
    finally:
        await publisher.close()
