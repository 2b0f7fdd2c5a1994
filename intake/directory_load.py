"""Filling a `Directory`: from the compacted topic `omniroute.customers`, or from an export.

Exports (CSV, JSON array or JSON lines) may carry raw identifiers (email, phone, platform +
handle, visitor id) as a CRM writes them; they are turned into identity HMACs with the same
`IdentityKeyer` intake uses and never stored. Bad rows are reported, never raised.
"""

import asyncio
import csv
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pydantic import ValidationError

from intake.admin import partitions as admin_partitions
from intake.directory import Directory, DirectoryRecord
from intake.identity import IdentityKeyer
from intake.kafka import consumer
from intake.settings import KafkaSettings

_SPLIT = re.compile(r"[;,\s]+")
_RAW = ("email", "phone", "handle", "visitor_id")


class DirectoryConsumer(Protocol):
    """What loading needs of an `AIOKafkaConsumer` (so tests can stand one in)."""

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]: ...
    async def position(self, partition: TopicPartition) -> int: ...
    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]: ...


@dataclass
class LoadReport:
    loaded: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)


def _values(row: Mapping[str, Any], name: str) -> list[str]:
    value = row.get(name)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else _SPLIT.split(str(value).strip())
    return [str(v).strip() for v in items if str(v).strip()]


def record_from_row(row: Mapping[str, Any], keyer: IdentityKeyer | None) -> DirectoryRecord:
    """Raises ValueError (pydantic's ValidationError is one) for a row that cannot be used."""
    customer_id = str(row.get("customer_id") or "").strip()
    tenant = str(row.get("tenant") or "default").strip()
    keys: list[str] = []
    if any(_values(row, name) for name in _RAW):
        if keyer is None:
            raise ValueError("raw identifiers in the export need the identity secret")
        if customer_id:
            keys.append(keyer.customer_id(tenant, customer_id))  # strongest: the routing key
        keys += [keyer.email(v) for v in _values(row, "email")]
        keys += [keyer.phone(v) for v in _values(row, "phone")]
        platform = str(row.get("platform") or "").strip()
        keys += [keyer.handle(platform, v) for v in _values(row, "handle") if platform]
        keys += [keyer.visitor(v) for v in _values(row, "visitor_id")]
    keys += _values(row, "identity_keys")
    fields = {
        n: (str(row[n]).strip() or None) if row.get(n) else None
        for n in ("tier", "language", "time_zone")
    }
    return DirectoryRecord(
        customer_id=customer_id,
        tenant=tenant,
        identity_keys=tuple(dict.fromkeys(keys)),
        tier=fields["tier"].casefold() if fields["tier"] else None,
        language=fields["language"],
        time_zone=fields["time_zone"],
    )


def _rows(path: Path) -> Iterator[Mapping[str, Any]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        yield from csv.DictReader(text.splitlines())
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        for line in text.splitlines():
            yield json.loads(line) if line.strip() else {}
    else:
        data = json.loads(text)
        if isinstance(data, dict):
            data = data.get("customers", [])
        if not isinstance(data, list):
            raise ValueError('expected a JSON array of customers (or {"customers": [...]})')
        yield from data


def load_export(path: Path, directory: Directory, keyer: IdentityKeyer | None = None) -> LoadReport:
    report = LoadReport()
    try:
        rows: Iterable[Mapping[str, Any]] = list(_rows(path))
    except (ValueError, csv.Error) as exc:  # JSON and UTF-8 decoding errors are ValueErrors
        report.rejected.append((0, f"unreadable export: {_reason(exc)}"))
        return report
    for number, row in enumerate(rows, start=1):
        try:
            if not isinstance(row, Mapping):
                raise ValueError("not an object")
            directory.upsert(record_from_row(row, keyer))
            report.loaded += 1
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            report.rejected.append((number, _reason(exc)))
    return report


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        text = "; ".join(f"{'/'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    else:
        text = str(exc)
    return text[:500]


async def read_to_end(
    directory: Directory, cons: DirectoryConsumer, partitions: list[TopicPartition]
) -> int:
    """Apply every record up to the end offsets as of the call; returns how many were read."""
    end = await cons.end_offsets(partitions)
    pending = [tp for tp in partitions if await cons.position(tp) < end[tp]]
    count = 0
    while pending:
        batches = await cons.getmany(*pending, timeout_ms=500)
        for records in batches.values():
            for record in records:
                directory.apply(record.key, record.value)
            count += len(records)
        pending = [tp for tp in pending if await cons.position(tp) < end[tp]]
    return count


async def follow(directory: Directory, cons: DirectoryConsumer, stop: asyncio.Event) -> None:
    """Keep applying new records until `stop` (the directory changes while intake runs)."""
    while not stop.is_set():
        for records in (await cons.getmany(timeout_ms=500)).values():
            for record in records:
                directory.apply(record.key, record.value)


async def open_topic(
    kafka: KafkaSettings, topic: str
) -> tuple[AIOKafkaConsumer, list[TopicPartition]]:
    """A started consumer on every partition of `topic`, at the beginning (none if the topic
    does not exist). No consumer group: every intake process reads the whole directory."""
    # The partitions come from the admin client: a consumer without a subscription keeps no
    # metadata of the topic (`topics()` fetches into a throwaway cluster view), so its
    # `partitions_for_topic` answers None.
    partitions = await admin_partitions(kafka, [topic])
    cons = consumer(
        kafka,
        "directory",
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await cons.start()
    # aiokafka's consumer without a group starts a task in start() that stop() cancels and
    # awaits; cancelled before it ever ran, it raises CancelledError out of stop(). Let it run.
    await asyncio.sleep(0)
    try:
        if partitions:
            cons.assign(partitions)
            await cons.seek_to_beginning(*partitions)
    except BaseException:
        await cons.stop()
        raise
    return cons, partitions
