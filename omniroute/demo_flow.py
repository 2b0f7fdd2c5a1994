"""The demo's data path, in one process: intake HTTP API and a router sharing one event loop,
driven over real HTTP and read back from the department topics with a plain consumer."""

import asyncio
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from aiokafka import AIOKafkaConsumer
from prometheus_client import CollectorRegistry

from intake import serde
from intake.admin import ensure_topics
from intake.http.app import build_app, kafka_context
from intake.http.auth import TokenEntry, hash_token, new_token
from intake.http.settings import IntakeSettings
from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics
from router.service import build_runner
from router.settings import RouterSettings

_WAIT_S = 60.0


async def _start_intake(kafka: KafkaSettings, token: str) -> tuple[web.AppRunner, str]:
    entry = TokenEntry(name="demo-adapter", sha256=hash_token(token))
    settings = IntakeSettings(port=0, tokens=(entry,))
    runner = web.AppRunner(build_app(settings, kafka_context(kafka), CollectorRegistry()))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def _post_all(base: str, token: str, samples: list[dict[str, Any]]) -> dict[str, str]:
    """POST each sample; returns message id -> short description."""
    ids: dict[str, str] = {}
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for sample in samples:
            async with http.post(f"{base}/v1/messages", json=sample) as resp:
                body = await resp.json(content_type=None)
                if resp.status != 202:
                    print(f"  rejected ({resp.status}): {body.get('detail')}")
                    continue
                ids[body["id"]] = f"[{sample['channel']}] {sample['text'][:60]}"
    return ids


async def _read_dispatched(
    kafka: KafkaSettings, topics: list[str], ids: dict[str, str]
) -> dict[str, dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        *topics,
        **client_kwargs(kafka),
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        group_id=None,
    )
    await consumer.start()
    seen: dict[str, dict[str, Any]] = {}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _WAIT_S
    try:
        while len(seen) < len(ids) and loop.time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                for record in records:
                    dispatch = serde.loads_obj(record.value or b"{}")
                    if dispatch["message"]["id"] in ids:
                        seen[dispatch["message"]["id"]] = dispatch["decision"]
    finally:
        await consumer.stop()
    return seen


def _print(ids: dict[str, str], seen: dict[str, dict[str, Any]]) -> None:
    print(f"\n{'message':66} -> {'department':18} {'priority':8} {'SLA due (UTC)':20} why")
    for message_id, desc in ids.items():
        d = seen.get(message_id)
        if d is None:
            print(f"{desc:66} -> NOT SEEN")
            continue
        why = ",".join(r["rule_id"] for r in d.get("rules", [])) or d["layer"]
        due = d["sla_due_at"][:19].replace("T", " ")
        print(f"{desc:66} -> {d['department']:18} {d['priority']:8} {due:20} {why}")


async def run_flow(kafka: KafkaSettings, samples: list[dict[str, Any]]) -> int:
    topics = Topics(kafka.topic_prefix)
    router_settings = RouterSettings(group_id=f"omniroute-demo-{uuid.uuid4().hex[:8]}", http_port=0)
    runner = build_runner(router_settings, kafka, CollectorRegistry())
    departments = runner.pipeline.classifier.config.all_departments()
    await ensure_topics(kafka, topics.specs(departments, kafka.partitions))
    token = new_token()
    intake_runner, base = await _start_intake(kafka, token)
    stop = asyncio.Event()
    router_task = asyncio.create_task(runner.run(stop))
    try:
        print(f"intake API on {base}; router group {router_settings.group_id}")
        ids = await _post_all(base, token, samples)
        print(f"posted {len(ids)} messages (202 = acknowledged by Kafka); reading them back...")
        seen = await _read_dispatched(kafka, [topics.dept(d) for d in departments], ids)
        _print(ids, seen)
    finally:
        stop.set()
        await router_task
        await intake_runner.cleanup()
    missing = len(ids) - len(seen)
    print(f"\n{len(seen)}/{len(ids)} messages routed" + (f", {missing} missing" if missing else ""))
    return 0 if missing == 0 and len(ids) == len(samples) else 1
