"""The customer directory: records, the Resolver, the compacted topic and exports."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from intake.complete import Completer
from intake.directory import Directory, DirectoryRecord
from intake.directory_load import follow, load_export, read_to_end
from intake.identity import IdentityKeyer
from intake.message import MessageDraft

KEYER = IdentityKeyer(b"directory-test-secret")


def record(cid: str, *keys: str, **extra: Any) -> DirectoryRecord:
    return DirectoryRecord(customer_id=cid, identity_keys=keys, **extra)


def draft(**customer: str) -> MessageDraft:
    return MessageDraft.model_validate(
        {"channel": "webchat", "channel_message_id": "x", "customer": customer}
    )


def test_known_customer_gets_one_key_on_every_channel() -> None:
    d = Directory()
    cid_key = KEYER.customer_id("default", "C-1")
    d.upsert(
        record(
            "C-1",
            cid_key,
            KEYER.email("ann@example.com"),
            KEYER.phone("+442079460000"),
            tier="vip",
            language="en-GB",
            time_zone="Europe/London",
        )
    )
    completer = Completer(KEYER, resolver=d)
    keys = {
        completer.routing_key(draft(email="ANN@example.com ")),
        completer.routing_key(draft(phone="+44 20 7946 0000")),
        completer.routing_key(draft(customer_id="C-1")),
    }
    assert keys == {cid_key}
    assert completer.routing_key(draft(email="bob@example.com")) == KEYER.email("bob@example.com")
    known = d.get(KEYER.email("ann@example.com"))
    assert known is not None and known.tier == "vip" and known.time_zone == "Europe/London"


def test_a_key_shared_by_two_customers_decides_nothing() -> None:
    d = Directory()
    family = KEYER.email("family@example.com")
    d.upsert(record("C-1", "a" * 32, family))
    d.upsert(record("C-2", "b" * 32, family))
    assert d([family]) is None and d.get(family) is None
    assert d([family, "b" * 32]) == "b" * 32  # the next key may decide
    d.remove("C-2")
    assert d([family]) == "a" * 32


def test_update_moves_keys_and_tombstone_removes() -> None:
    d = Directory()
    d.apply(b"C-1", record("C-1", "a" * 32, "c" * 32).model_dump_json().encode())
    d.apply(b"C-1", record("C-1", "a" * 32).model_dump_json().encode())
    assert d(["c" * 32]) is None and d(["a" * 32]) == "a" * 32
    assert d.apply(b"C-1", None) and len(d) == 0 and d(["a" * 32]) is None


@pytest.mark.parametrize(
    "value",
    [
        b"not json",
        b"{}",
        b'{"customer_id": "C", "identity_keys": []}',
        b'{"customer_id": "C", "identity_keys": ["ann@example.com"]}',
        b'{"customer_id": "C", "identity_keys": ["' + b"a" * 32 + b'"], "time_zone": "Mars/Base"}',
    ],
)
def test_bad_topic_records_are_counted_not_raised(value: bytes) -> None:
    d = Directory()
    assert d.apply(b"C", value) is False
    assert d.rejected == 1 and len(d) == 0


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    d = Directory()
    value = {"customer_id": "C", "identity_keys": ["a" * 32], "loyalty_points": 12}
    assert d.apply(b"C", json.dumps(value).encode())


def test_csv_export_with_raw_identifiers_is_hashed(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(
        "customer_id,tenant,email,phone,platform,handle,tier,language,time_zone\n"
        "C-1,default,ann@example.com;ann@work.example,+442079460000,whatsapp,ann_w,VIP,en,"
        "Europe/London\n"
        "C-2,default,,,,,,,\n"
        "C-3,default,carl@example.com,,,,,,Not/AZone\n",
        encoding="utf-8",
    )
    d = Directory()
    report = load_export(path, d, KEYER)
    assert report.loaded == 1 and [n for n, _ in report.rejected] == [2, 3]
    c1 = d.get(KEYER.email("ann@work.example"))
    assert (
        c1 is not None
        and c1.tier == "vip"
        and c1.routing_key == KEYER.customer_id("default", "C-1")
    )
    assert d([KEYER.handle("whatsapp", "@ANN_W")]) == c1.routing_key
    stored = c1.model_dump_json()
    assert "ann@" not in stored and "7946" not in stored and "ann_w" not in stored


def test_raw_identifiers_without_the_secret_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "customers.jsonl"
    path.write_text('{"customer_id": "C-1", "email": "ann@example.com"}\n', encoding="utf-8")
    report = load_export(path, Directory())
    assert report.loaded == 0 and "identity secret" in report.rejected[0][1]


def test_json_export_of_hmacs(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    rows = [
        {"customer_id": "C-1", "identity_keys": ["a" * 32, "b" * 32], "language": "zh-CN"},
        "not an object",
    ]
    path.write_text(json.dumps({"customers": rows}), encoding="utf-8")
    d = Directory()
    report = load_export(path, d)
    assert report.loaded == 1 and report.rejected[0][0] == 2
    assert d(["b" * 32]) == "a" * 32


def test_unreadable_export_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "customers.json"
    path.write_text("{nope", encoding="utf-8")
    report = load_export(path, Directory())
    assert report.loaded == 0 and report.rejected[0][0] == 0


class FakeConsumer:
    """The three calls loading makes, over fixed per-partition logs."""

    def __init__(self, logs: dict[int, list[tuple[bytes, bytes | None]]]) -> None:
        self.tps = {p: TopicPartition("p.customers", p) for p in logs}
        self.logs = logs
        self.pos = dict.fromkeys(logs, 0)

    async def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.logs[tp.partition]) for tp in tps}

    async def position(self, tp: TopicPartition) -> int:
        return self.pos[tp.partition]

    async def getmany(self, *tps: TopicPartition, timeout_ms: int = 0) -> dict[Any, Any]:
        out = {}
        for tp in tps or self.tps.values():
            p = tp.partition
            batch = self.logs[p][self.pos[p] : self.pos[p] + 2]
            self.pos[p] += len(batch)
            out[tp] = list(self._records(tp, batch))
        await asyncio.sleep(0)
        return out

    @staticmethod
    def _records(tp: TopicPartition, batch: list[Any]) -> Iterator[ConsumerRecord[bytes, bytes]]:
        for key, value in batch:
            yield ConsumerRecord(tp.topic, tp.partition, 0, 0, 0, key, value, None, 0, 0, [])


def encoded(cid: str, *keys: str) -> tuple[bytes, bytes]:
    return cid.encode(), record(cid, *keys).model_dump_json().encode()


async def test_topic_is_read_to_its_end_last_write_wins() -> None:
    logs = {
        0: [encoded("C-1", "a" * 32), encoded("C-3", "d" * 32), (b"C-3", None), (b"C-9", b"?")],
        1: [encoded("C-2", "b" * 32), encoded("C-2", "c" * 32)],
    }
    cons = FakeConsumer(logs)
    d = Directory()
    count = await read_to_end(d, cons, list(cons.tps.values()))
    assert count == 6 and len(d) == 2 and d.rejected == 1
    assert d(["c" * 32]) == "c" * 32 and d(["b" * 32]) is None and d(["d" * 32]) is None
    cons.logs[1].append(encoded("C-4", "e" * 32))
    stop = asyncio.Event()
    task = asyncio.create_task(follow(d, cons, stop))
    for _ in range(50):
        if len(d) == 3:
            break
        await asyncio.sleep(0)
    stop.set()
    await task
    assert d(["e" * 32]) == "e" * 32
