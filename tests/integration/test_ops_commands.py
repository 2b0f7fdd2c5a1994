"""`omniroute deadletter | replay | status` against a real broker. The router's outputs are
made by the pure pipeline and produced as the runner would (intake record -> department,
decision, deadletter records; the group's committed offsets), so the commands read real topics
without depending on a router process."""

import asyncio
import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from intake import serde
from intake.events import EventType, LifecycleEvent
from intake.kafka import client_kwargs, durable_producer
from intake.message import Message
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.cli import main
from router.classifier import Classifier
from router.config import load_default_config
from router.pipeline import Pipeline, Source
from tests.integration.kafka_helpers import read_records

GROUP = "ops-test-router"
TEXTS = {
    "p-1": "my parcel never arrived and tracking shows nothing",
    "r-1": "I want to return these shoes and get a refund",
    "i-1": "please send me an invoice for my payment",
}


def _message(cid: str, text: str) -> Message:
    return Message(
        channel="api", channel_message_id=cid, id=f"api:{cid}", source="shop",
        received_at=datetime.now(UTC), routing_key=f"rk-{cid}", text=text,
    )  # fmt: skip


async def _seed(kafka: KafkaSettings) -> None:
    """Intake records, then what a router makes of them, then the group's offsets."""
    topics = Topics(kafka.topic_prefix)
    pipeline = Pipeline(Classifier(load_default_config()), topics)
    producer = durable_producer(kafka, "ops-test")
    await producer.start()
    try:
        raws = [serde.dumps(_message(c, t)) for c, t in TEXTS.items()] + [b"{not json"]
        for raw in raws:
            meta = await producer.send_and_wait(topics.intake("api"), raw, key=b"k", partition=0)
            result = pipeline.process_raw(raw, Source(meta.topic, meta.partition, meta.offset))
            for o in result.outputs:
                await producer.send_and_wait(o.topic, o.value, key=o.key, headers=o.headers)
        resolved = LifecycleEvent(
            id="e-1", type=EventType.RESOLVED, case_id="api:i-1", department="billing",
            occurred_at=datetime.now(UTC), actor="helpdesk",
        )  # fmt: skip
        await producer.send_and_wait(topics.events, serde.dumps(resolved), key=resolved.key)
    finally:
        await producer.stop()
    committer = AIOKafkaConsumer(**client_kwargs(kafka), group_id=GROUP, enable_auto_commit=False)
    await committer.start()
    try:
        tp = TopicPartition(topics.intake("api"), 0)
        committer.assign([tp])
        await committer.commit({tp: 1})  # the group is behind: lag = records - 1 on partition 0
    finally:
        await committer.stop()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code in (0, 1), f"{argv}: exit {code}: {err}"
    return code, out


def test_deadletter_replay_status(
    kafka_settings: KafkaSettings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    kafka = kafka_settings
    topics = Topics(kafka.topic_prefix)
    monkeypatch.setenv("OMNIROUTE_KAFKA_BOOTSTRAP", str(kafka.bootstrap))
    monkeypatch.setenv("OMNIROUTE_KAFKA_TOPIC_PREFIX", kafka.topic_prefix)
    monkeypatch.setenv("OMNIROUTE_KAFKA_PARTITIONS", "3")
    asyncio.run(_seed(kafka))

    # list: the one unreadable intake record, with stage and reason.
    code, out = _run(capsys, "deadletter", "list", "--json")
    [dl] = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and (dl["stage"], dl["reason_code"]) == ("router_decode", "invalid_message")
    assert dl["source_topic"] == topics.intake("api") and "raw_b64" not in dl
    code, out = _run(capsys, "deadletter", "list")
    assert "router_decode/invalid_message=1" in out
    # show: the raw payload.
    code, out = _run(capsys, "deadletter", "show", dl["at"])
    assert code == 0 and json.loads(out)["raw_text"] == "{not json"
    # redrive all of the reason: still invalid, so skipped rather than looped.
    code, out = _run(capsys, "deadletter", "redrive", "--reason", "invalid_message")
    assert code == 1 and "still not valid" in out
    # redrive with a corrected payload: back on the source topic, keyed, traceable.
    fixed = tmp_path / "fixed.json"
    fixed.write_bytes(serde.dumps(_message("fixed-1", "where is my package, tracking?")))
    code, out = _run(capsys, "deadletter", "redrive", "--at", dl["at"], "--fixed", str(fixed))
    assert code == 0 and "1 redriven, 0 skipped" in out
    intake = asyncio.run(read_records(kafka, [topics.intake("api")], expect=5))
    redriven = [
        r
        for r in intake
        if ("omniroute-redrive", f"{topics.deadletter}/{dl['at']}".encode()) in r.headers
    ]
    assert len(redriven) == 1 and redriven[0].key == b"rk-fixed-1"

    # replay: a candidate that sends delivery questions to orders, with a shadow topic.
    text = resources.files("router.defaults").joinpath("routing.yaml").read_text("utf-8")
    candidate = tmp_path / "candidate.yaml"
    candidate.write_text(text.replace("    department: logistics\n", "    department: orders\n", 1))
    shadow = f"{kafka.topic_prefix}.shadow.decisions"
    code, out = _run(capsys, "replay", "--config", str(candidate), "--since", "1h",
                     "--shadow-topic", shadow)  # fmt: skip
    assert code == 0, out
    assert "replayed 5 intake record(s)" in out
    assert "1 changed" in out and "logistics -> orders: 1" in out
    assert "1 without a dispatched decision, 1 unreadable" in out  # the redriven one; the bad one
    assert len(asyncio.run(read_records(kafka, [shadow], expect=4, settle_s=0.5))) == 4

    # status: topics, the group's lag, open cases (one of three resolved).
    code, out = _run(capsys, "status", "--group", GROUP, "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["topics"][topics.intake("api")] == {"partitions": 3, "records": 5}
    assert doc["lag"][topics.intake("api")] == 4
    assert doc["open_cases"] == {"logistics": 1, "returns": 1}
    code, out = _run(capsys, "status", "--group", GROUP, "--no-cases")
    assert "consumer group ops-test-router: lag 4" in out and "open cases" not in out
