"""The Asterisk tailer against a real broker: every CDR line reaches omniroute.intake.phone
exactly once across a stop in the middle of the file, an append and a restart, and across a
log rotation."""

import asyncio
from pathlib import Path
from typing import Any

import orjson

from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.checkpoint import CheckpointStore
from intake.deadletter import DeadLetter
from intake.message import MessageDraft
from intake.publisher import Ack
from intake.settings import KafkaSettings
from intake.sink import Sink, open_sink
from intake.topics import Topics
from tests.integration.kafka_helpers import read_records

SECRET = b"integration-identity-secret-000"
LINE = (
    '"shop1","+4930901{n:03d}","4930555000","from-pstn","""Caller {n}"" <+4930901{n:03d}>",'
    '"PJSIP/carrier-{n}","{dst}","Dial","PJSIP/agent,30","2024-03-04 10:{m:02d}:00","{ans}",'
    '"2024-03-04 10:{m:02d}:50",50,{bill},"{disp}","DOCUMENTATION","1709547300.{n}",""\n'
)


def cdr(n: int) -> bytes:
    answered = n % 3 != 0
    return LINE.format(
        n=n,
        m=n % 60,
        dst="PJSIP/agent-1" if answered else "",
        ans=f"2024-03-04 10:{n % 60:02d}:10" if answered else "",
        bill=40 if answered else 0,
        disp="ANSWERED" if answered else "NO ANSWER",
    ).encode()


class StopAfter:
    """Delegates to the real sink and raises a flag after `n` acknowledged deliveries."""

    def __init__(self, sink: Sink, n: int) -> None:
        self.sink = sink
        self.n = n
        self.delivered = 0
        self.reached = asyncio.Event()

    async def deliver(self, drafts: list[MessageDraft], source: str) -> list[Ack]:
        acks = await self.sink.deliver(drafts, source)
        self.delivered += 1
        if self.delivered >= self.n:
            self.reached.set()
        return acks

    async def deadletter(self, record: DeadLetter) -> None:
        await self.sink.deadletter(record)


def connector(path: Path) -> AsteriskConnector:
    config = AsteriskConfig(
        path=path,
        default_region="DE",
        batch_max_lines=3,
        poll_interval_s=0.05,
        rotation_grace_s=0.2,
    )
    return AsteriskConnector(config)


async def call_ids(kafka: KafkaSettings, topics: Topics, expect: int) -> list[str]:
    records = await read_records(kafka, [topics.intake("phone")], expect, 30.0, settle_s=1.5)
    return [orjson.loads(r.value)["metadata"]["call_id"] for r in records]


async def stop(task: "asyncio.Task[None]") -> None:
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def until(condition: Any, limit_s: float = 30.0) -> None:
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110 - the condition is a file on disk
            await asyncio.sleep(0.05)


def caught_up(path: Path) -> bool:
    """The checkpoint names the file now at `path` and its full length."""
    saved = CheckpointStore(path.with_name(path.name + ".omniroute-checkpoint")).load()
    st = path.stat()
    return saved is not None and (saved.identity.inode, saved.offset) == (st.st_ino, st.st_size)


async def test_restart_mid_file_neither_loses_nor_repeats(
    kafka_settings: KafkaSettings, topics: Topics, tmp_path: Path
) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(cdr(n) for n in range(1, 10)) + b"not,a,cdr\n" + cdr(10)[:40])
    async with open_sink(kafka_settings, name="phone-it", identity_secret=SECRET) as sink:
        first = StopAfter(sink, 2)
        task = asyncio.create_task(connector(path).run(first))  # type: ignore[arg-type]
        await asyncio.wait_for(first.reached.wait(), 30)
        await stop(task)  # stopped with lines 7..9, the bad line and the partial one unread
        saved = CheckpointStore(path.with_name("Master.csv.omniroute-checkpoint")).load()
        assert saved is not None
        assert saved.offset == len(b"".join(cdr(n) for n in range(1, 7)))  # two acked batches
        with path.open("ab") as handle:
            handle.write(cdr(10)[40:] + b"".join(cdr(n) for n in range(11, 15)))
        second = StopAfter(sink, 10_000)
        task = asyncio.create_task(connector(path).run(second))  # type: ignore[arg-type]
        await until(lambda: caught_up(path))
        await stop(task)
    ids = await call_ids(kafka_settings, topics, 14)
    assert sorted(ids) == sorted(f"1709547300.{n}" for n in range(1, 15))  # each exactly once
    dead = await read_records(kafka_settings, [topics.deadletter], 1, 10.0, settle_s=0.5)
    assert [orjson.loads(r.value)["reason_code"] for r in dead] == ["invalid_cdr"]


async def test_rename_rotation_while_running(
    kafka_settings: KafkaSettings, topics: Topics, tmp_path: Path
) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(cdr(n) for n in range(1, 4)))
    async with open_sink(kafka_settings, name="phone-it", identity_secret=SECRET) as sink:
        counting = StopAfter(sink, 10_000)
        task = asyncio.create_task(connector(path).run(counting))  # type: ignore[arg-type]
        await until(lambda: counting.delivered >= 1)
        with path.open("ab") as handle:
            handle.write(cdr(4))
        path.rename(tmp_path / "Master.csv.1")
        path.write_bytes(b"".join(cdr(n) for n in range(5, 8)))
        await until(lambda: caught_up(path))
        await stop(task)
    ids = await call_ids(kafka_settings, topics, 7)
    assert sorted(ids) == sorted(f"1709547300.{n}" for n in range(1, 8))
