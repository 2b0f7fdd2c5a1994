"""The embedded broker itself, with its own instance (not the session one, which these tests
restart and stop): what the router relies on from it is produce/consume, consumer groups,
admin create_topics and above all transactions driven by aiokafka."""

import asyncio
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from omniroute.localkafka import LocalKafka, LocalKafkaError, alive_brokers

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    kafka = LocalKafka(tmp_path_factory.mktemp("localkafka"))
    kafka.start()
    try:
        yield kafka
    finally:
        kafka.stop()


async def create_topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 3, 1) for name in names])
    finally:
        await admin.close()


async def read_all(
    bootstrap: str, topic: str, expect: int, isolation: str = "read_committed"
) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level=isolation,
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 30
        while loop.time() < deadline and len(values) < expect:
            batches = await consumer.getmany(timeout_ms=500)
            values += [r.value for records in batches.values() for r in records]
        # A little longer, so that a record that should not be there has time to show up.
        batches = await consumer.getmany(timeout_ms=1000)
        values += [r.value for records in batches.values() for r in records]
    finally:
        await consumer.stop()
    return values


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def test_start_serves_metadata_on_loopback(broker: LocalKafka) -> None:
    assert broker.bootstrap == f"127.0.0.1:{broker.port}"
    assert broker.pid is not None
    assert alive_brokers("127.0.0.1", broker.port, timeout=5) == [1]
    assert (broker.data_dir / "bootstrap").read_text().strip() == broker.bootstrap
    assert int((broker.data_dir / "broker.pid").read_text()) == broker.pid
    assert "Kafka Server started" in broker.log_path.read_text()


async def test_produce_and_consume_in_a_group(broker: LocalKafka) -> None:
    topic = unique("plain")
    await create_topics(broker.bootstrap, topic)
    producer = AIOKafkaProducer(
        bootstrap_servers=broker.bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"hello", key=b"customer-1")
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=broker.bootstrap,
        group_id=unique("group"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        record = await asyncio.wait_for(consumer.getone(), 60)
        await consumer.commit()
    finally:
        await consumer.stop()
    assert (record.key, record.value) == (b"customer-1", b"hello")


async def test_transaction_commit_and_abort(broker: LocalKafka) -> None:
    """Consume-transform-produce as the router does it: output and input offsets commit
    atomically; an aborted transaction's output stays invisible to read_committed readers."""
    source, sink, group = unique("in"), unique("out"), unique("router")
    await create_topics(broker.bootstrap, source, sink)
    plain = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await plain.start()
    try:
        meta = await plain.send_and_wait(source, b"input", partition=0)
    finally:
        await plain.stop()

    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, transactional_id=unique("txn"))
    await producer.start()
    try:
        await producer.begin_transaction()
        await producer.send_and_wait(sink, b"committed", key=b"k")
        offsets = {TopicPartition(source, 0): meta.offset + 1}
        await producer.send_offsets_to_transaction(offsets, group)
        await producer.commit_transaction()

        await producer.begin_transaction()
        await producer.send_and_wait(sink, b"aborted", key=b"k")
        await producer.abort_transaction()
    finally:
        await producer.stop()

    assert await read_all(broker.bootstrap, sink, expect=1) == [b"committed"]
    # The aborted record was written (and fenced off by the abort marker), not lost.
    uncommitted = await read_all(broker.bootstrap, sink, 2, isolation="read_uncommitted")
    assert sorted(uncommitted) == [b"aborted", b"committed"]

    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap)
    await admin.start()
    try:
        committed = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    assert committed[TopicPartition(source, 0)].offset == meta.offset + 1


async def write_one(broker: LocalKafka, name: str, value: bytes) -> str:
    """A fresh topic holding `value`, acknowledged by the broker (acks=all)."""
    topic = unique(name)
    await create_topics(broker.bootstrap, topic)
    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()
    return topic


async def test_restart_keeps_data_and_address(broker: LocalKafka) -> None:
    topic = await write_one(broker, "durable", b"before restart")
    old_pid, old_bootstrap = broker.pid, broker.bootstrap

    await asyncio.to_thread(broker.restart)

    assert broker.bootstrap == old_bootstrap
    assert broker.pid not in (None, old_pid)
    assert await read_all(broker.bootstrap, topic, expect=1) == [b"before restart"]


async def test_a_crash_restart_keeps_data_and_address(broker: LocalKafka) -> None:
    topic = await write_one(broker, "crash", b"before the crash")
    old_pid, old_bootstrap = broker.pid, broker.bootstrap

    await asyncio.to_thread(broker.stop, crash=True)
    # No controlled shutdown: Kafka did not get to write its clean-shutdown marker.
    assert broker.pid is None
    assert not (broker.data_dir / "logs" / ".kafka_cleanshutdown").exists()
    await asyncio.to_thread(broker.start)

    assert broker.bootstrap == old_bootstrap
    assert broker.pid not in (None, old_pid)
    assert await read_all(broker.bootstrap, topic, expect=1) == [b"before the crash"]


def test_stop_is_clean_and_start_resumes(broker: LocalKafka) -> None:
    pid = broker.pid
    assert pid is not None
    broker.stop()

    assert broker.pid is None
    assert not Path(f"/proc/{pid}").exists()
    assert not (broker.data_dir / "broker.pid").exists()
    # Kafka writes this marker only after a controlled shutdown; without it the next start
    # would run log recovery.
    assert (broker.data_dir / "logs" / ".kafka_cleanshutdown").exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", broker.port), timeout=2).close()
    broker.stop()  # idempotent

    broker.start()
    assert alive_brokers("127.0.0.1", broker.port, timeout=5) == [1]


def test_failed_start_raises_with_the_cause_from_the_log(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # The controller binds first, so this fails sooner than a taken client port.
        kafka = LocalKafka(tmp_path / "kafka", controller_port=port)
        with pytest.raises(LocalKafkaError, match="Address already in use"):
            kafka.start(timeout=90)
    assert kafka.pid is None
