"""The transactional publisher's promises, on an in-memory producer: a 2xx only after a commit,
a 503 only for what can never become visible, and a retry of an in-doubt commit is not written
twice. The same promises on a real broker: tests/integration/test_fault_outage.py."""

import asyncio
from collections.abc import AsyncIterator

import pytest

from intake.deadletter import DeadLetter, Stage
from intake.errors import KafkaUnavailable
from intake.publisher import Ack
from intake.publishing import PublisherSettings, transactional_id
from intake.topics import Topics
from intake.txn_doubt import DoubtLog
from intake.txn_publisher import TxnPublisher
from tests.unit.txn_fakes import Broker, FakeTxnProducer, Reader, message

TIMEOUT = 0.3


async def idle(publisher: TxnPublisher) -> None:
    """The 503 is answered before the abort or reset runs; wait for those."""
    async with asyncio.timeout(5):
        while not publisher.committer.idle:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@pytest.fixture
def broker() -> Broker:
    return Broker()


@pytest.fixture
async def publisher(broker: Broker) -> AsyncIterator[TxnPublisher]:
    pub = TxnPublisher(
        lambda: FakeTxnProducer(broker),  # type: ignore[arg-type,return-value]
        Topics("t"),
        TIMEOUT,
        Reader(broker),
        linger_s=0.005,
    )
    await pub.start(1.0)
    yield pub
    await pub.close()


async def test_concurrent_requests_share_transactions(
    publisher: TxnPublisher, broker: Broker
) -> None:
    acks = await asyncio.gather(*(publisher.publish([message(n)]) for n in range(40)))
    assert [a[0].message_id for a in acks] == [f"m{n}" for n in range(40)]
    assert len(broker.committed) == 40
    assert broker.transactions < 10  # group commit: far fewer EndTxn than requests


async def test_unacknowledged_sends_are_aborted_and_answered_unavailable(
    publisher: TxnPublisher, broker: Broker
) -> None:
    broker.sends_hang = True
    with pytest.raises(KafkaUnavailable):
        await publisher.publish([message(1)])
    await idle(publisher)
    assert broker.aborts == 1 and broker.committed == []
    broker.sends_hang = False
    assert (await publisher.publish([message(2)]))[0].message_id == "m2"
    assert broker.inits == 1  # the abort worked: the same producer goes on


async def test_a_failed_abort_replaces_the_producer(
    publisher: TxnPublisher, broker: Broker
) -> None:
    broker.sends_hang = broker.abort_fails = True
    with pytest.raises(KafkaUnavailable):
        await publisher.publish([message(1)])
    await idle(publisher)
    broker.sends_hang = broker.abort_fails = False
    await publisher.publish([message(2)])
    assert broker.inits == 2  # re-initialised: the epoch bump aborts the open transaction


async def test_broker_down_answers_unavailable_then_recovers(
    publisher: TxnPublisher, broker: Broker
) -> None:
    broker.sends_hang = broker.down = True
    with pytest.raises(KafkaUnavailable):
        await publisher.publish([message(1)])
    with pytest.raises(KafkaUnavailable):  # no producer can start: fails fast
        await asyncio.wait_for(publisher.publish([message(2)]), 2 * TIMEOUT + 0.5)
    with pytest.raises(KafkaUnavailable):
        await publisher.check()
    broker.sends_hang = broker.down = False
    await publisher.check()
    await publisher.publish([message(3)])
    assert len(broker.committed) == 1


async def test_retry_of_an_in_doubt_commit_is_not_written_twice(
    publisher: TxnPublisher, broker: Broker
) -> None:
    broker.commit_lost = True
    with pytest.raises(KafkaUnavailable):
        await publisher.publish([message(1), message(2)])
    assert len(publisher.committer.doubt) == 2
    broker.commit_lost = False
    acks = await publisher.publish([message(2), message(3)])
    assert [a.message_id for a in acks] == ["m2", "m3"]
    assert acks[0].offset == 1  # the original record, acknowledged as it is
    assert len(broker.committed) == 3  # m1, m2 once, m3
    assert len(publisher.committer.doubt) == 1  # m1 stays in doubt until it is retried


async def test_an_aborted_in_doubt_record_is_written_again(
    publisher: TxnPublisher, broker: Broker
) -> None:
    broker.commit_lost = True
    with pytest.raises(KafkaUnavailable):
        await publisher.publish([message(1)])
    broker.commit_lost = False
    broker.committed.clear()  # the coordinator aborted it after all
    await publisher.publish([message(1)])
    assert len(broker.committed) == 1


async def test_a_settlement_slower_than_a_request_still_completes(broker: Broker) -> None:
    class SlowReader(Reader):
        async def __call__(self, acks: list[Ack], timeout_s: float) -> set[str]:
            await asyncio.sleep(3 * TIMEOUT)  # a loaded broker: longer than a request may wait
            return await super().__call__(acks, timeout_s)

    reader = SlowReader(broker)
    pub = TxnPublisher(
        lambda: FakeTxnProducer(broker),  # type: ignore[arg-type,return-value]
        Topics("t"),
        TIMEOUT,
        reader,
        linger_s=0.005,
    )
    await pub.start(1.0)
    try:
        broker.commit_lost = True
        with pytest.raises(KafkaUnavailable):
            await pub.publish([message(1)])
        broker.commit_lost = False
        await idle(pub)
        with pytest.raises(KafkaUnavailable):  # still being read back: answered in time
            await pub.publish([message(1)])
        await asyncio.sleep(4 * TIMEOUT)
        [ack] = await pub.publish([message(1)])  # the settlement finished meanwhile
        assert ack.offset == 0 and len(broker.committed) == 1 and reader.calls == 1
        assert len(pub.committer.doubt) == 0
    finally:
        await pub.close()


async def test_deadletters_are_written_in_a_transaction(
    publisher: TxnPublisher, broker: Broker
) -> None:
    record = DeadLetter.of(
        b"\x00bad", stage=Stage.CONNECTOR, reason_code="x", reason="y", source="unit"
    )
    await publisher.publish_deadletter(record)
    assert broker.committed[0][0] == "t.deadletter"


def test_doubt_log_is_bounded() -> None:
    log = DoubtLog(max_entries=3)
    from intake.publisher import Ack

    log.add([Ack(f"m{n}", "t", 0, n) for n in range(5)], generation=1)
    assert len(log) == 3 and not log.lookup(["m0", "m1"]) and len(log.lookup(["m4"])) == 1


def test_transactional_ids_never_repeat_in_a_process() -> None:
    settings = PublisherSettings()
    first, second = transactional_id(settings, "intake"), transactional_id(settings, "intake")
    assert first != second and first.startswith("omniroute-intake-")
    fixed = PublisherSettings(transactional_id="shop-intake-0")
    assert transactional_id(fixed, "intake") == "shop-intake-0"
    assert transactional_id(fixed, "asterisk") == "shop-intake-0-asterisk"


async def test_a_commit_not_visible_in_time_is_in_doubt_not_acknowledged(broker: Broker) -> None:
    """EndTxn answered but the records never became readable (seen on a broker in controlled
    shutdown): 503, remembered as in doubt, and the retry writes it again if it was aborted."""
    visible = False

    async def confirm(acks: list[Ack], timeout_s: float) -> bool:
        return visible

    pub = TxnPublisher(
        lambda: FakeTxnProducer(broker),  # type: ignore[arg-type,return-value]
        Topics("t"),
        TIMEOUT,
        Reader(broker),
        confirm=confirm,
    )
    await pub.start(1.0)
    try:
        with pytest.raises(KafkaUnavailable):
            await pub.publish([message(1)])
        assert len(pub.committer.doubt) == 1
        broker.committed.clear()  # the restarted broker aborted it
        visible = True
        await pub.publish([message(1)])
        assert len(broker.committed) == 1 and len(pub.committer.doubt) == 0
    finally:
        await pub.close()
