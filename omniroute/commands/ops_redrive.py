"""Redriving deadletters: re-publishing them to their source topic (or another), raw or with
a corrected payload.

It validates before it sends: a record still unreadable as an intake message would only come
straight back, so it is skipped (unless forced). Re-published records carry an
`omniroute-redrive` header naming the deadletter they came from, so a redrive is traceable.
"""

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from intake import serde
from intake.deadletter import DeadLetter
from intake.errors import InvalidInput
from intake.events import LifecycleEvent
from intake.headers import Headers
from intake.kafka import durable_producer, start_producer
from intake.message import Message
from intake.publisher import message_headers
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.commands import ops_kafka as ok

REDRIVE_HEADER = "omniroute-redrive"


@dataclass(frozen=True, slots=True)
class Entry:
    partition: int
    offset: int
    record: DeadLetter | None  # None: the deadletter record itself is unreadable
    problem: str = ""

    @property
    def where(self) -> str:
        return f"{self.partition}:{self.offset}"


Loader = Callable[[KafkaSettings, argparse.Namespace], Awaitable[list[Entry]]]


def plan(
    entry: Entry, payload: bytes | None, target: str | None, topics: Topics, force: bool
) -> tuple[str, bytes | None, Headers, str]:
    """(topic, key, headers, problem) for one redrive; a non-empty problem means skip."""
    d = entry.record
    if d is None:
        return "", None, [], "the deadletter record itself is unreadable"
    topic = target or d.source_topic
    if not topic:
        return "", None, [], f"no source topic ({d.stage.value}): re-submit it through {d.source}"
    body = payload if payload is not None else d.raw
    marker: Headers = [(REDRIVE_HEADER, f"{topics.deadletter}/{entry.where}".encode())]
    try:
        key, headers = _contract(topic, body, topics)
    except InvalidInput as exc:
        if not force:
            return "", None, [], f"still not valid ({str(exc)[:120]}); fix it or --force"
        key, headers = None, []
    return topic, key, [*headers, *marker], ""


def _contract(topic: str, body: bytes, topics: Topics) -> tuple[bytes | None, Headers]:
    """Key and headers of `body` on `topic`, validated against the topic's contract; a topic
    whose contract this command does not know gets the bytes as they are."""
    if topic.startswith(f"{topics.prefix}.intake."):
        message = serde.loads(Message, body)
        return message.routing_key.encode(), message_headers(message)
    if topic == topics.events:
        return serde.loads(LifecycleEvent, body).key, []
    return None, []


async def redrive(
    kafka: KafkaSettings, args: argparse.Namespace, payload: bytes | None, load: Loader
) -> tuple[int, int]:
    """(sent, skipped) for the deadletters `load` selects by `args`."""
    if not args.reason and not args.at:
        raise ok.OpsError("say what to redrive: --reason CODE (every record of it) or --at P:O")
    if payload is not None and len(args.at or []) != 1:
        raise ok.OpsError("--fixed replaces one record's payload: give exactly one --at")
    entries = await load(kafka, args)
    topics = Topics(kafka.topic_prefix)
    producer = None if args.dry_run else durable_producer(kafka, "redrive")
    sent = skipped = 0
    if producer is not None:
        await start_producer(producer, kafka.connect_timeout_s)
    try:
        for e in entries:
            body = payload if payload is not None else (e.record.raw if e.record else b"")
            topic, key, headers, problem = plan(e, payload, args.to, topics, args.force)
            if problem:
                skipped += 1
                print(f"skip    {e.where}: {problem}")
            elif producer is None:
                sent += 1
                print(f"would   {e.where} -> {topic} ({len(body)} bytes)")
            else:
                meta = await producer.send_and_wait(topic, body, key=key, headers=headers)
                sent += 1
                print(f"sent    {e.where} -> {meta.topic}/{meta.partition}/{meta.offset}")
    finally:
        if producer is not None:
            await producer.stop()
    return sent, skipped
