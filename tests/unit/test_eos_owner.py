"""Partition ownership across rebalances, against a fake group coordinator whose OffsetFetch
lags the transactions like Kafka's: a transaction's offsets become visible once its markers
are written, which EndTxn does not wait for; a new owner's InitProducerId does."""

from collections.abc import Mapping, Sequence
from typing import cast

from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from intake.settings import KafkaSettings
from intake.topics import Topics
from router.eos.owner import Partitions
from router.eos.record import Record
from router.eos.task import PartitionTask
from router.eos.transactions import PartitionProducer
from router.metrics import RouterMetrics
from router.pipeline import Pipeline
from router.runner import Runner
from router.settings import RouterSettings

A0, B0, A1 = TopicPartition("t.a", 0), TopicPartition("t.b", 0), TopicPartition("t.a", 1)


class Coordinator:
    """Committed offsets, and the part of them OffsetFetch already returns."""

    def __init__(self) -> None:
        self.committed: dict[TopicPartition, int] = {}
        self.visible: dict[TopicPartition, int] = {}
        self.transactions = 0

    def complete(self, number: int) -> None:
        self.visible |= {tp: o for tp, o in self.committed.items() if tp.partition == number}


class Producer:
    def __init__(self, coordinator: Coordinator, number: int) -> None:
        self.coordinator = coordinator
        self.transactional_id = f"g-p{number}"

    async def commit(
        self, records: Sequence[Record], offsets: Mapping[TopicPartition, int]
    ) -> None:
        # EndTxn returned: committed, but its offsets are not materialised yet.
        self.coordinator.committed |= dict(offsets)
        self.coordinator.transactions += 1

    async def close(self) -> None:
        pass


class Opener:
    def __init__(self, coordinator: Coordinator) -> None:
        self.coordinator = coordinator
        self.opened: list[int] = []

    async def open(self, numbers: list[int]) -> dict[int, PartitionTask]:
        for p in numbers:
            self.coordinator.complete(p)  # InitProducerId waits for p's transactions
        self.opened += numbers
        return {
            p: PartitionTask(p, cast(PartitionProducer, Producer(self.coordinator, p)), None)
            for p in numbers
        }


class Consumer:
    def __init__(self, coordinator: Coordinator) -> None:
        self.coordinator = coordinator
        self.positions: dict[TopicPartition, int | str] = {}

    async def committed(self, tp: TopicPartition) -> int | None:
        return self.coordinator.visible.get(tp)

    def last_stable_offset(self, tp: TopicPartition) -> int | None:
        return None

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    async def seek_to_beginning(self, *tps: TopicPartition) -> None:
        self.positions |= dict.fromkeys(tps, "beginning")


def member(coordinator: Coordinator) -> tuple[Partitions, Consumer, Opener]:
    cons, opener = Consumer(coordinator), Opener(coordinator)
    metrics = RouterMetrics(CollectorRegistry())
    return Partitions(cast(AIOKafkaConsumer, cons), opener, metrics), cons, opener


def process(owner: Partitions, tp: TopicPartition, offsets: range) -> None:
    task = owner.tasks[tp.partition]
    for offset in offsets:
        if task.accepts(tp, offset):
            task.add(tp, offset, [])


async def test_kept_partition_resumes_after_its_own_commits_not_a_lagging_offset_fetch() -> None:
    coordinator = Coordinator()
    owner, cons, opener = member(coordinator)
    await owner.assign({A0, B0}, generation=1)
    process(owner, A0, range(26))
    await owner.revoke()  # a second member joins: commit everything processed
    assert coordinator.committed == {A0: 26} and coordinator.visible == {}
    await owner.assign({A0, B0}, generation=2)  # kept: no new InitProducerId
    assert opener.opened == [0]
    assert cons.positions == {A0: 26, B0: "beginning"}
    task = owner.tasks[0]
    assert not any(task.accepts(A0, o) for o in range(26))
    assert task.accepts(A0, 26) and task.accepts(B0, 0)


async def test_new_owner_reads_the_offsets_after_its_fence() -> None:
    coordinator = Coordinator()
    first, _, _ = member(coordinator)
    await first.assign({A0, A1}, generation=1)
    process(first, A0, range(10))
    process(first, A1, range(7))
    await first.revoke()
    await first.assign({A0}, generation=2)
    second, cons, opener = member(coordinator)
    await second.assign({A1}, generation=2)
    assert opener.opened == [1]
    assert cons.positions == {A1: 7}
    assert not second.tasks[1].accepts(A1, 6)


async def test_a_missed_generation_reopens_the_partition() -> None:
    coordinator = Coordinator()
    owner, cons, opener = member(coordinator)
    await owner.assign({A0}, generation=1)
    kept = owner.tasks[0]
    process(owner, A0, range(5))
    await owner.revoke()
    # Expelled meanwhile: another member may have owned p0 in generation 2.
    coordinator.committed[A0] = 40
    await owner.assign({A0}, generation=3)
    assert opener.opened == [0, 0] and owner.tasks[0] is not kept
    assert cons.positions == {A0: 40}


def runner() -> Runner:
    class Fake:
        topics = Topics("t")

    kafka = KafkaSettings(bootstrap="127.0.0.1:1", topic_prefix="t")
    metrics = RouterMetrics(CollectorRegistry())
    return Runner(RouterSettings(), kafka, cast(Pipeline, Fake()), metrics)


async def test_nothing_is_committed_between_revocation_and_assignment() -> None:
    coordinator = Coordinator()
    owner, cons, _ = member(coordinator)
    await owner.assign({A0}, generation=1)
    task = owner.tasks[0]
    await owner.revoke()
    # Expiry tombstones, long due for a commit.
    task.add_changes([Record("t.router.state", b"key", None, [], 0)])
    task.last_commit = 0.0
    await runner()._tick(owner, cast(AIOKafkaConsumer, cons))
    assert task.inflight is None and coordinator.transactions == 0
    await owner.assign({A0}, generation=2)  # kept: the assignment commits them
    assert coordinator.transactions == 1
    task.add_changes([Record("t.router.state", b"key", None, [], 0)])
    task.last_commit = 0.0
    await runner()._tick(owner, cast(AIOKafkaConsumer, cons))
    assert task.inflight is not None
    await owner.flush(task)
    assert coordinator.transactions == 2
