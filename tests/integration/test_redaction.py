"""No raw PII in logs or metric labels (DESIGN principle 5), end to end: the real intake and
router processes at DEBUG log level on a real broker, fed messages carrying seeded identifiers
(an email address, a phone number, an adapter token, a rejected token) through the ingest API,
a bad token, a schema error and an unreadable record straight on the intake topic. Every line
either process writes and every metric line they expose is scanned: no seed may appear, and
every log line is one JSON object."""

import asyncio
import json
import time
import urllib.request
from pathlib import Path

import aiohttp

from intake.kafka import durable_producer
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.localkafka.config import free_ports
from tests.integration.app_harness import TOKEN, intake_settings
from tests.integration.kafka_helpers import read_records
from tests.integration.test_shutdown import spawn, stop, wait_http

EMAIL = "Zelda.Seeded+42@Example-Shop.test"
PHONE = "+49 151 98765432"
BAD_TOKEN = "omr_seeded-rejected-token-0000000000000"
SEEDS = [
    EMAIL,
    EMAIL.lower(),
    "zelda.seeded",
    PHONE,
    "+4915198765432",
    "15198765432",
    "98765432",
    TOKEN,
    TOKEN.removeprefix("omr_"),
    BAD_TOKEN,
    "seeded-rejected-token",
]


def _messages() -> list[dict[str, object]]:
    text = f"Hi, my parcel never came. Mail me at {EMAIL} or call {PHONE}."
    return [
        {"channel": "api", "channel_message_id": "pii-1", "text": text,
         "customer": {"email": EMAIL, "phone": PHONE}},
        {"channel": "api", "channel_message_id": "pii-2", "text": f"refund please, {PHONE}",
         "customer": {"phone": PHONE}},
        {"channel": "api", "channel_message_id": "pii-3", "subject": f"invoice for {EMAIL}",
         "text": "I was double charged", "customer": {"email": EMAIL}},
    ]  # fmt: skip


async def _traffic(url: str, kafka: KafkaSettings) -> None:
    good = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=_messages(), headers=good) as resp:
            assert resp.status == 202, await resp.text()
        bad = {"Authorization": f"Bearer {BAD_TOKEN}"}
        async with session.post(url, json=_messages()[0], headers=bad) as resp:
            assert resp.status == 401
        invalid = {"channel": "api", "text": f"no id, {EMAIL}", "customer": {"email": EMAIL}}
        async with session.post(url, json=invalid, headers=good) as resp:
            assert resp.status == 422
        # Query strings reach the access log (webhooks put callers' numbers there): the
        # redaction must catch them, percent-encoded as they are logged.
        query = {"email": EMAIL, "from": PHONE, "token": BAD_TOKEN}
        async with session.get(url.replace("/v1/messages", "/healthz"), params=query) as resp:
            assert resp.status == 200
    producer = durable_producer(kafka, "redaction-test")
    await producer.start()
    try:  # unreadable for the router: it deadletters it, and may log why
        raw = f'{{"id": "x", "customer": {{"email": "{EMAIL}", "phone": "{PHONE}"}}'.encode()
        await producer.send_and_wait(Topics(kafka.topic_prefix).intake("api"), raw)
    finally:
        await producer.stop()


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode())


def test_seeded_identifiers_never_reach_logs_or_metrics(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    intake_port, router_port = free_ports(2)
    tokens = json.dumps([e.model_dump(mode="json") for e in intake_settings().tokens])
    debug = {"OMNIROUTE_LOG_LEVEL": "DEBUG"}
    intake_log, router_log = tmp_path / "intake.log", tmp_path / "router.log"
    intake = spawn("intake", kafka_settings, intake_log, OMNIROUTE_INTAKE_PORT=str(intake_port),
                   OMNIROUTE_INTAKE_TOKENS=tokens, **debug)  # fmt: skip
    router = spawn("router", kafka_settings, router_log, **debug,
                   OMNIROUTE_ROUTER_HTTP_PORT=str(router_port),
                   OMNIROUTE_ROUTER_GROUP_ID=f"{kafka_settings.topic_prefix}-router")  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{intake_port}/readyz", intake, intake_log)
        wait_http(f"http://127.0.0.1:{router_port}/readyz", router, router_log)
        url = f"http://127.0.0.1:{intake_port}/v1/messages"
        asyncio.run(_traffic(url, kafka_settings))
        t = Topics(kafka_settings.topic_prefix)
        routed = asyncio.run(read_records(kafka_settings, [t.decisions, t.deadletter], 4))
        assert len(routed) >= 4, router_log.read_text()[-3000:]
        time.sleep(1.5)  # the router's lag/metrics tick
        metrics = _scrape(intake_port) + _scrape(router_port)
    finally:
        for proc, log in ((intake, intake_log), (router, router_log)):
            if proc.poll() is None:
                stop(proc, log)
    logs = intake_log.read_text() + router_log.read_text()
    assert "omniroute_intake_requests_total" in metrics and "omniroute_router" in metrics
    lines = [line for line in logs.splitlines() if line.strip()]
    assert len(lines) > 10  # DEBUG really logged something to scan
    for line in lines:
        json.loads(line)  # structured: one JSON object per line
    # The scan looked at lines where identifiers were, and found them masked.
    assert "[email]" in logs and "[phone]" in logs and "token=[redacted]" in logs
    for seed in SEEDS:
        assert seed.lower() not in logs.lower(), f"{seed!r} in logs"
        assert seed.lower() not in metrics.lower(), f"{seed!r} in metrics"
