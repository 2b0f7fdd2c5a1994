"""The pinned Kafka version completes a commit whose partition had no leader at the time.

Why this test exists: Kafka 4.3.0 to 4.4.0 (KAFKA-20734, fix not released on 2026-12-07) skip
the commit markers of a partition that has no live leader when the coordinator sends them:
its metadata cache answers "unknown partition" instead of "leader unknown", and the
coordinator then treats the partition as deleted ("Couldn't find leader endpoint ... likely
deleted already"). The transaction is complete for the coordinator but never for the
partition: its last stable offset stays below the high watermark for good, and every
read_committed reader (the router, intake's in-doubt read-back) stops there. A single-node
cluster has leaderless partitions at every restart, which is how the fault tests found it.
4.2.x and older queue the markers until a leader appears.

Two nodes make it deterministic: the transaction coordinator on node 1, the written partition
on node 2 alone. Node 2 stops (controlled shutdown: its partition loses its leader), the
producer commits through node 1, node 2 comes back, and the record must become readable. On
4.3.1 the same test fails: the last stable offset stays at 0 with the high watermark at 1.
"""

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from omniroute.localkafka import LocalKafka
from omniroute.localkafka.config import HOST, NODE_ID, free_ports

pytestmark = pytest.mark.integration
SECOND = NODE_ID + 1


def second_node(first: LocalKafka, data_dir: Path) -> LocalKafka:
    """A broker-only node that joins `first`'s cluster (its controller is the quorum)."""
    (port,) = free_ports(1)
    joined = {
        "process.roles": "broker",
        "node.id": str(SECOND),
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{first.controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
    }
    return LocalKafka(data_dir, port=port, extra_props=joined, cluster_id=first.cluster_id)


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[tuple[LocalKafka, LocalKafka]]:
    first = LocalKafka(tmp_path / "node1")
    first.start(180.0)
    second = second_node(first, tmp_path / "node2")
    try:
        yield first, second
    finally:
        second.stop()
        first.stop()


async def last_stable_and_high(bootstrap: str, tp: TopicPartition) -> tuple[int, int]:
    ends = []
    for isolation in ("read_committed", "read_uncommitted"):
        consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level=isolation)
        await consumer.start()
        try:
            ends.append((await consumer.end_offsets([tp]))[tp])
        finally:
            await consumer.stop()
    return ends[0], ends[1]


async def wait_leaderless(bootstrap: str, tp: TopicPartition, limit_s: float = 30.0) -> None:
    """Until node 1's metadata says `tp` has no leader: the commit must happen after that."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        async with asyncio.timeout(limit_s):
            await producer.client.force_metadata_update()
            while producer.client.cluster.leader_for_partition(tp) not in (None, -1):
                await asyncio.sleep(0.2)
                await producer.client.force_metadata_update()
    finally:
        await producer.stop()


async def test_commit_markers_reach_a_partition_that_was_leaderless(
    two_nodes: tuple[LocalKafka, LocalKafka],
) -> None:
    first, second = two_nodes
    bootstrap = first.bootstrap
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, transactional_id=f"markers-{uuid.uuid4().hex[:8]}"
    )
    # Started while node 1 is the only broker: __transaction_state, created on the first
    # FindCoordinator, has every partition there, so the coordinator survives node 2's stop.
    await producer.start()
    try:
        await asyncio.to_thread(second.start, 180.0)
        topic = f"markers-{uuid.uuid4().hex[:8]}"
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.create_topics([NewTopic(topic, -1, -1, replica_assignments={0: [SECOND]})])
        finally:
            await admin.close()
        tp = TopicPartition(topic, 0)
        async with producer.transaction():
            await (await producer.send(topic, b"committed", partition=0))
            await asyncio.to_thread(second.stop)  # controlled shutdown: no leader for tp now
            await wait_leaderless(bootstrap, tp)
        # EndTxn was answered once PrepareCommit was logged; the marker for tp is pending.
        await asyncio.to_thread(second.start, 180.0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 60
        stable, high = await last_stable_and_high(bootstrap, tp)
        while stable < high and loop.time() < deadline:
            await asyncio.sleep(0.5)
            stable, high = await last_stable_and_high(bootstrap, tp)
        assert (stable, high) == (2, 2), f"last stable offset {stable}, high watermark {high}"
    finally:
        await producer.stop()
