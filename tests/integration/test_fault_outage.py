"""Broker outage while adapters keep posting (real Kafka, crashed and started again): the API
answers 503 (never 2xx) while the broker is down, accepts again once it is back, and, read
with read_committed, every message answered 2xx is on the intake topic exactly once and no
message that only ever got 503 is there at all."""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import orjson
from aiohttp.test_utils import TestClient
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from intake.kafka import client_kwargs
from intake.publisher import Ack
from intake.settings import KafkaSettings
from intake.topics import Topics
from intake.txn_doubt import committed_ids
from tests.integration.app_harness import AUTH, intake_client
from tests.integration.fault_helpers import Restartable, restartable
from tests.integration.kafka_helpers import read_records

__all__ = ["restartable"]
ADAPTERS = 4


@dataclass
class Answer:
    channel_message_id: str
    status: int
    started: float
    ended: float
    body: bytes = b""


@dataclass
class Log:
    answers: list[Answer] = field(default_factory=list)

    def acked(self) -> set[str]:
        return {a.channel_message_id for a in self.answers if a.status == 202}

    def only_refused(self) -> set[str]:
        return {a.channel_message_id for a in self.answers} - self.acked()


async def post(client: TestClient[object, object], cmid: str, log: Log) -> int:
    body = {"channel": "api", "channel_message_id": cmid, "text": f"where is order {cmid}?"}
    started = time.monotonic()
    resp = await client.post("/v1/messages", json=body, headers=AUTH)
    body = await resp.read()
    log.answers.append(Answer(cmid, resp.status, started, time.monotonic(), body[:200]))
    return resp.status


async def adapter(
    client: TestClient[object, object], n: int, log: Log, stop: asyncio.Event
) -> None:
    """Posts one message after the other, each until it is acknowledged (as an adapter must)."""
    for i in range(10_000):
        if stop.is_set():
            return
        for _attempt in range(400):
            if await post(client, f"a{n}-{i}", log) == 202:
                break
            await asyncio.sleep(0.25)  # Retry-After, shortened
        await asyncio.sleep(0.05)


async def explain(kafka: KafkaSettings, topic: str, missing: set[str]) -> None:
    """On failure: where the missing records are, if anywhere (uncommitted? behind the LSO?)."""
    records = await read_records_uncommitted(kafka, topic)
    where = {cmid: rp for cmid, rp in records.items() if cmid in missing}
    print(f"missing {sorted(missing)}; uncommitted copies at {where}")


async def read_records_uncommitted(kafka: KafkaSettings, topic: str) -> dict[str, tuple[int, int]]:
    consumer = AIOKafkaConsumer(
        topic,
        **client_kwargs(kafka),
        group_id=None,
        auto_offset_reset="earliest",
        isolation_level="read_uncommitted",
    )
    await consumer.start()
    out: dict[str, tuple[int, int]] = {}
    try:
        for _ in range(30):
            for tp, batch in (await consumer.getmany(timeout_ms=300)).items():
                for r in batch:
                    out[orjson.loads(r.value)["channel_message_id"]] = (tp.partition, r.offset)
        ends = await consumer.end_offsets(list(consumer.assignment()))
        print("end offsets", {tp.partition: o for tp, o in ends.items()})
    finally:
        await consumer.stop()
    return out


async def test_outage_answers_503_and_every_2xx_is_on_kafka_once(restartable: Restartable) -> None:
    kafka = await restartable.settings()
    log, stop = Log(), asyncio.Event()
    overrides = {"ack_timeout_s": 3.0, "probe_interval_s": 0.5, "retry_after_s": 1}
    async with intake_client(kafka, **overrides) as client:
        tasks = [asyncio.create_task(adapter(client, n, log, stop)) for n in range(ADAPTERS)]
        await asyncio.sleep(4)
        await restartable.stop(crash=True)
        down_from = time.monotonic()
        await asyncio.sleep(2)
        once = [await post(client, f"gone-{i}", log) for i in range(10)]  # never retried
        await asyncio.sleep(2)
        down_until = time.monotonic()
        await restartable.start()
        await asyncio.sleep(6)
        stop.set()
        async with asyncio.timeout(180):
            await asyncio.gather(*tasks)
    assert once == [503] * 10
    during = [a for a in log.answers if a.started > down_from and a.ended < down_until]
    assert during and {a.status for a in during} == {503}, "2xx while the broker was down"
    assert {a.status for a in log.answers} <= {202, 503}
    acked = log.acked()
    assert len(acked) > ADAPTERS * 10 and any(a.started > down_until for a in log.answers)
    topic = Topics(kafka.topic_prefix).intake("api")
    records = await read_records(kafka, [topic], len(acked), 60.0, settle_s=3.0)
    on_kafka = Counter(orjson.loads(r.value)["channel_message_id"] for r in records)
    assert {k: n for k, n in on_kafka.items() if n > 1} == {}, "a message is on Kafka twice"
    if set(on_kafka) != acked:
        for a in log.answers:
            if a.channel_message_id in acked - set(on_kafka):
                print(
                    a.channel_message_id,
                    a.status,
                    a.started - down_from,
                    a.ended - down_from,
                    a.body,
                )
        print("outage", down_until - down_from)
        await explain(kafka, topic, acked - set(on_kafka))
    assert set(on_kafka) == acked  # every 2xx is there; nothing answered only 503 is
    assert not log.only_refused() & set(on_kafka)
    refused = sum(a.status == 503 for a in log.answers)
    print(f"{len(acked)} acknowledged, {refused} answers 503, outage {down_until - down_from:.1f}s")


async def test_doubt_read_back_tells_committed_from_aborted(restartable: Restartable) -> None:
    """The read-back that settles an in-doubt commit, on real transactions: one committed, one
    aborted as the last thing on its partition (nothing after it moves a consumer on)."""
    kafka = await restartable.settings()
    topic = Topics(kafka.topic_prefix).intake("api")
    producer = AIOKafkaProducer(**client_kwargs(kafka), transactional_id="doubt-read-back")
    await producer.start()
    acks: list[Ack] = []
    try:
        for name, commit in (("kept", True), ("dropped", False)):
            await producer.begin_transaction()
            meta = await (await producer.send(topic, b"{}", key=b"k", partition=0))
            acks.append(Ack(name, meta.topic, meta.partition, meta.offset))
            await (producer.commit_transaction() if commit else producer.abort_transaction())
    finally:
        await producer.stop()
    assert await committed_ids(kafka, acks, 30.0) == {"kept"}
