"""Routing config and customer directory in the running router on real Kafka. Hot reload: a
valid config change applies while messages keep flowing (none lost, none twice, each decision
names the config that made it), an invalid one is rejected and the old config stays active."""

import asyncio
import os
from pathlib import Path

import orjson
import pytest
from prometheus_client import CollectorRegistry

from intake import serde
from intake.directory import DirectoryRecord
from intake.http.settings import IntakeSettings
from intake.identity import IdentityKeyer
from intake.kafka import durable_producer, start_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.customers import follow_directory
from router.service import build_runner, start_watcher
from router.settings import RouterSettings
from tests.integration.app_harness import AUTH, intake_client
from tests.integration.kafka_helpers import read_records

BEFORE = """departments: [orders, logistics]
classifier: {model: none}
rules:
  - {id: parcel_rule, department: orders, keywords: [parcel]}
"""
AFTER = BEFORE.replace("department: orders", "department: logistics")
INVALID = AFTER + "  - {id: broken, department: nowhere, keywords: [x]}\n"


def write(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()  # a rewrite within the same mtime tick must still look changed
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def reloads(registry: CollectorRegistry, outcome: str) -> float:
    value = registry.get_sample_value("omniroute_config_reloads_total", {"outcome": outcome})
    return value or 0.0


async def until(condition: object, timeout_s: float = 30.0) -> None:
    assert callable(condition)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_reload_while_messages_flow(
    kafka_settings: KafkaSettings, topics: Topics, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OMNIROUTE_ROUTING_RELOAD_INTERVAL_S", "0.2")
    path = tmp_path / "routing.yaml"
    write(path, BEFORE)
    settings = RouterSettings(group_id=f"{topics.prefix}-router", http_port=0, config_path=path)
    registry = CollectorRegistry()
    runner = build_runner(settings, kafka_settings, registry)
    old = runner.pipeline.classifier.config.version
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    watcher = start_watcher(runner, settings, registry, stop)
    assert watcher is not None
    sent: list[str] = []

    async def post(client: object, n: int, tag: str) -> None:
        for i in range(n):
            body = {
                "channel": "webchat",
                "channel_message_id": f"{tag}-{i}",
                "text": "where is my parcel",
                "customer": {"visitor_id": f"v{i % 7}"},
            }
            resp = await client.post("/v1/messages", json=body, headers=AUTH)  # type: ignore[attr-defined]
            assert resp.status == 202, await resp.text()
            sent.append((await resp.json())["id"])
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(runner.ready.wait(), 60)
        async with intake_client(kafka_settings) as client:
            await post(client, 15, "before")
            wanted = [topics.dept("orders"), topics.dept("logistics")]
            assert len(await read_records(kafka_settings, wanted, expect=15, timeout_s=60)) == 15
            flowing = asyncio.create_task(post(client, 40, "during"))
            await asyncio.sleep(0.3)
            write(path, AFTER)  # valid: applies while messages keep arriving
            await flowing
            await until(lambda: reloads(registry, "applied") == 1)
            new = runner.pipeline.classifier.config.version
            write(path, INVALID)  # rejected: the new config stays active
            await until(lambda: reloads(registry, "rejected") == 1)
            await post(client, 10, "after")
        assert runner.pipeline.classifier.config.version == new != old
        dispatched = await read_records(kafka_settings, wanted, expect=len(sent), settle_s=2.0)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await asyncio.gather(watcher, return_exceptions=True)

    by_id: dict[str, dict[str, object]] = {}
    for record in dispatched:
        decision = orjson.loads(record.value)["decision"]
        assert decision["message_id"] not in by_id, "dispatched twice"
        by_id[decision["message_id"]] = decision | {"topic": record.topic}
    assert set(by_id) == set(sent), "lost or unexpected messages"
    for decision in by_id.values():
        version, department = decision["config_version"], decision["department"]
        assert (version, department) in {(old, "orders"), (new, "logistics")}
        assert decision["topic"] == topics.dept(str(department))
    versions = [by_id[i]["config_version"] for i in sent]
    assert versions[:15] == [old] * 15  # dispatched before the change
    assert versions[-10:] == [new] * 10  # sent after it was applied (and after the rejection)


async def test_vip_tier_from_the_directory_topic_raises_priority(
    kafka_settings: KafkaSettings, topics: Topics, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The router reads omniroute.customers before routing (as `serve` does) and a customer the
    directory calls VIP gets the tier's priority."""
    monkeypatch.setenv("OMNIROUTE_ROUTING_FOLLOW_CUSTOMERS", "true")
    secret = IntakeSettings().identity_secret.get_secret_value().encode()
    key = IdentityKeyer(secret).email("vip@example.com")
    record = DirectoryRecord(customer_id="c-1", identity_keys=(key,), tier="vip")
    producer = durable_producer(kafka_settings, "test-directory")
    await start_producer(producer, 30)
    try:
        await producer.send_and_wait(topics.customers, serde.dumps(record), key=b"c-1")
    finally:
        await producer.stop()
    settings = RouterSettings(group_id=f"{topics.prefix}-router", http_port=0)
    runner = build_runner(settings, kafka_settings, CollectorRegistry())
    stop = asyncio.Event()
    directory = runner.pipeline.classifier.customers
    follower = await follow_directory(directory, kafka_settings, stop)
    assert follower is not None and directory is not None
    assert directory.get(key) is not None, "the directory was read before routing"
    task = asyncio.create_task(runner.run(stop))
    try:
        async with intake_client(kafka_settings) as client:
            for n, email in enumerate(("vip@example.com", "other@example.com")):
                body = {
                    "channel": "email",
                    "channel_message_id": f"m-{n}",
                    "text": "where is my parcel",
                    "customer": {"email": email},
                }
                resp = await client.post("/v1/messages", json=body, headers=AUTH)
                assert resp.status == 202, await resp.text()
        records = await read_records(kafka_settings, [topics.dept("logistics")], expect=2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
        await asyncio.wait_for(follower, 10)
    found = {
        orjson.loads(r.value)["message"]["customer"]["email"]: orjson.loads(r.value)["decision"]
        for r in records
    }
    assert found["vip@example.com"]["priority_reason"] == "tier:vip"
    assert found["other@example.com"]["priority"] == "normal"
