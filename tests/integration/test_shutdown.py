"""SIGTERM with work in flight, on a real broker, against the real `omniroute` processes.

intake: stops accepting, lets in-flight requests finish (their 202s stand), flushes the producer
and exits 0 within the grace period; Kafka then holds exactly the acknowledged messages, each
once. router: exits 0 within the grace period with records in flight; a restarted instance
(same static member id) finishes the input, and every intake record has exactly one outcome
(department, duplicate or deadletter; read_committed), none lost, none doubled.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from intake import serde
from intake.headers import header
from intake.kafka import durable_producer
from intake.message import Message
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.localkafka.config import free_ports
from router.config import load_default_config
from tests.integration.app_harness import AUTH, intake_settings
from tests.integration.kafka_helpers import read_records

GRACE_S = 30.0


def spawn(command: str, kafka: KafkaSettings, log: Path, **env: str) -> subprocess.Popen[bytes]:
    full = {
        **os.environ,
        "OMNIROUTE_KAFKA_BOOTSTRAP": str(kafka.bootstrap),
        "OMNIROUTE_KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "OMNIROUTE_KAFKA_PARTITIONS": str(kafka.partitions),
        "OMNIROUTE_LOG_FORMAT": "json",
        **env,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "omniroute.cli", command],
            env=full, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready in {timeout_s}s\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen[bytes], log: Path) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(GRACE_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError(f"not gone {GRACE_S}s after SIGTERM\n{log.read_text()[-3000:]}")
    assert code == 0, log.read_text()[-3000:]
    assert "Traceback" not in log.read_text()
    return time.monotonic() - started


async def _hammer(url: str, worker: int, sigterm_at: list[float], results: list[tuple]) -> None:
    """Batches of 50 until the server stops answering; (start, end, status, ids) per request."""
    async with aiohttp.ClientSession(headers=AUTH) as session:
        for n in range(400):
            ids = [f"w{worker}-r{n}-m{i}" for i in range(50)]
            body = [{"channel": "api", "channel_message_id": i, "text": "parcel?"} for i in ids]
            started = time.monotonic()
            try:
                async with session.post(url, json=body) as resp:
                    results.append((started, time.monotonic(), resp.status, ids))
            except aiohttp.ClientError:
                results.append((started, time.monotonic(), 0, ids))
                if sigterm_at:
                    return


def test_intake_sigterm_drains_in_flight_requests(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    port = free_ports(1)[0]
    tokens = serde.dumps_obj([e.model_dump(mode="json") for e in intake_settings().tokens])
    log = tmp_path / "intake.log"
    proc = spawn("intake", kafka_settings, log, OMNIROUTE_INTAKE_PORT=str(port),
                 OMNIROUTE_INTAKE_TOKENS=tokens.decode())  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", proc, log)
        results: list[tuple] = []
        sigterm_at: list[float] = []

        async def scenario() -> float:
            url = f"http://127.0.0.1:{port}/v1/messages"
            workers = [asyncio.create_task(_hammer(url, w, sigterm_at, results)) for w in range(6)]
            for _ in range(1200):  # until traffic flows (at most 60 s)
                if sum(r[2] == 202 for r in results) >= 20:
                    break
                await asyncio.sleep(0.05)
            sigterm_at.append(time.monotonic())
            took = await asyncio.to_thread(stop, proc, log)
            await asyncio.gather(*workers)
            return took

        took = asyncio.run(scenario())
    finally:
        if proc.poll() is None:
            proc.kill()
    assert took < GRACE_S
    acked = [i for r in results if r[2] == 202 for i in r[3]]
    # A request that was running when SIGTERM came still got its 202.
    assert any(r[0] < sigterm_at[0] < r[1] and r[2] == 202 for r in results)
    assert {r[2] for r in results} <= {202, 503, 0}
    api = Topics(kafka_settings.topic_prefix).intake("api")
    records = asyncio.run(read_records(kafka_settings, [api], len(acked), settle_s=1))
    written = Counter(serde.loads(Message, r.value).channel_message_id for r in records)
    assert set(written) == set(acked), "lost or unacknowledged writes"
    assert max(written.values()) == 1, "doubled"


async def _produce(kafka: KafkaSettings, count: int) -> None:
    topics = Topics(kafka.topic_prefix)
    producer = durable_producer(kafka, "shutdown-test")
    await producer.start()
    try:
        for i in range(count):
            m = Message(
                channel="api", channel_message_id=f"s-{i}", id=f"api:s-{i}", source="test",
                received_at=datetime.now(UTC), routing_key=f"customer-{i % 97}",
                text=f"order {i}: parcel {i * 7919} not delivered, tracking {i} is stuck",
            )  # fmt: skip
            await producer.send(topics.intake("api"), serde.dumps(m), key=m.routing_key.encode())
        await producer.flush()
    finally:
        await producer.stop()


def _outcomes(kafka: KafkaSettings, expect: int) -> Counter[str]:
    t = Topics(kafka.topic_prefix)
    outputs = [t.dept(d) for d in load_default_config().all_departments()]
    outputs += [t.duplicates, t.deadletter]
    records = asyncio.run(read_records(kafka, outputs, expect, timeout_s=120, settle_s=2))
    return Counter(header(r.headers, "omniroute-source") or "?" for r in records)


def test_router_sigterm_mid_stream_then_restart_routes_each_record_once(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    total = 2000
    asyncio.run(_produce(kafka_settings, total))
    port = free_ports(1)[0]
    log = tmp_path / "router.log"
    env = {"OMNIROUTE_ROUTER_HTTP_PORT": str(port), "OMNIROUTE_ROUTER_INSTANCE_ID": "router-0",
           "OMNIROUTE_ROUTER_GROUP_ID": f"{kafka_settings.topic_prefix}-router"}  # fmt: skip
    first = spawn("router", kafka_settings, log, **env)
    try:
        wait_http(f"http://127.0.0.1:{port}/readyz", first, log)
        consumed = 0.0
        deadline = time.monotonic() + 120
        while consumed < total * 0.1 and time.monotonic() < deadline:
            consumed = _metric(port, "omniroute_router_consumed_total")
            time.sleep(0.1)
        assert 0 < consumed < total, f"no progress to interrupt: {consumed}\n{log.read_text()}"
        assert stop(first, log) < GRACE_S
        second = spawn("router", kafka_settings, log, **env)
        try:
            outcomes = _outcomes(kafka_settings, total)
        finally:
            stop(second, log)
    finally:
        for p in (first, locals().get("second")):
            if isinstance(p, subprocess.Popen) and p.poll() is None:
                p.kill()
    missing = total - len(outcomes)
    doubled = {k: v for k, v in outcomes.items() if v > 1}
    assert missing == 0 and not doubled, f"missing {missing}, doubled {list(doubled)[:5]}"


def _metric(port: int, name: str) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return 0.0
    return sum(float(line.rpartition(" ")[2]) for line in text.splitlines()
               if line.startswith(name))  # fmt: skip
