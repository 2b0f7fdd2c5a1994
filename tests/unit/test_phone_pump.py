import asyncio
from pathlib import Path

import pytest

from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.checkpoint import CheckpointStore
from connectors.phone.pump import TailPump
from connectors.phone.tailer import FileTailer
from intake.complete import Completer
from intake.deadletter import DeadLetter
from intake.identity import IdentityKeyer
from intake.message import Message
from intake.publisher import Ack
from intake.sink import Sink
from tests.unit.fake_kafka import FakePublisher
from tests.unit.phone_helpers import fixture

GOOD = fixture("asterisk_master.csv").split(b"\n")[:3]


class GatedPublisher(FakePublisher):
    """Holds every publish until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()

    async def publish(self, messages: list[Message]) -> list[Ack]:
        self.waiting.set()
        await self.gate.wait()
        return await super().publish(messages)

    async def publish_deadletter(self, record: DeadLetter) -> None:
        await self.gate.wait()
        await super().publish_deadletter(record)


def setup(tmp_path: Path, publisher: FakePublisher, batch: int = 500) -> tuple[TailPump, Sink]:
    config = AsteriskConfig(path=tmp_path / "Master.csv", default_region="DE")
    connector = AsteriskConnector(config)
    store = CheckpointStore(config.checkpoint_file())
    tailer = FileTailer(config.path, store)
    pump = TailPump(
        tailer,
        connector.parse_line,
        "asterisk",
        batch_lines=batch,
        poll_interval_s=0.01,
        retry_initial_s=0.01,
    )
    sink = Sink(Completer(IdentityKeyer(b"unit-test-identity-secret")), publisher)  # type: ignore[arg-type]
    return pump, sink


def offset(tmp_path: Path) -> int:
    loaded = CheckpointStore(tmp_path / "Master.csv.omniroute-checkpoint").load()
    return -1 if loaded is None else loaded.offset


async def until(condition: object, limit_s: float = 5.0) -> None:
    for _ in range(int(limit_s / 0.01)):
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


async def test_lines_and_bad_lines_are_delivered_then_checkpointed(tmp_path: Path) -> None:
    data = b"\n".join([*GOOD, b"not,a,cdr"]) + b"\n"
    (tmp_path / "Master.csv").write_bytes(data)
    publisher = FakePublisher()
    pump, sink = setup(tmp_path, publisher)
    task = asyncio.create_task(pump.run(sink))
    await until(lambda: offset(tmp_path) == len(data))
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [m.channel_message_id for m in publisher.messages] == [
        "1709547300.101",
        "1709547600.102",
        "1709547900.103",
    ]
    [dead] = publisher.deadletters
    assert dead.raw == b"not,a,cdr"
    assert dead.reason_code == "invalid_cdr"
    assert "Master.csv@" in dead.reason


async def test_checkpoint_waits_for_kafka(tmp_path: Path) -> None:
    (tmp_path / "Master.csv").write_bytes(b"\n".join(GOOD) + b"\n")
    publisher = FakePublisher()
    publisher.down = True
    pump, sink = setup(tmp_path, publisher)
    task = asyncio.create_task(pump.run(sink))
    await asyncio.sleep(0.2)  # several failed attempts
    assert offset(tmp_path) == 0
    assert publisher.messages == []
    publisher.down = False
    await until(lambda: offset(tmp_path) > 0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(publisher.messages) == 3


async def test_stop_during_delivery_finishes_the_batch(tmp_path: Path) -> None:
    (tmp_path / "Master.csv").write_bytes(b"\n".join(GOOD) + b"\n")
    publisher = GatedPublisher()
    pump, sink = setup(tmp_path, publisher, batch=2)
    task = asyncio.create_task(pump.run(sink))
    await asyncio.wait_for(publisher.waiting.wait(), 5)
    task.cancel()
    await asyncio.sleep(0.05)
    assert not task.done()  # waiting for Kafka's answer on the batch in flight
    publisher.gate.set()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(publisher.messages) == 2
    assert offset(tmp_path) == len(GOOD[0]) + len(GOOD[1]) + 2  # exactly that batch


async def test_unwritable_checkpoint_stops_the_pump(tmp_path: Path) -> None:
    (tmp_path / "Master.csv").write_bytes(GOOD[0] + b"\n")
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"")
    config = AsteriskConfig(path=tmp_path / "Master.csv", checkpoint_path=blocker / "ckpt")
    publisher = FakePublisher()
    sink = Sink(Completer(IdentityKeyer(b"unit-test-identity-secret")), publisher)  # type: ignore[arg-type]
    from connectors.phone.checkpoint import CheckpointError

    with pytest.raises(CheckpointError):
        await asyncio.wait_for(AsteriskConnector(config).run(sink), 5)
    assert publisher.messages == []


async def test_checkpoint_failure_during_stop_is_not_swallowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from connectors.phone import checkpoint as checkpoint_module
    from connectors.phone.checkpoint import CheckpointError

    (tmp_path / "Master.csv").write_bytes(b"\n".join(GOOD) + b"\n")
    publisher = GatedPublisher()
    pump, sink = setup(tmp_path, publisher)
    task = asyncio.create_task(pump.run(sink))
    await asyncio.wait_for(publisher.waiting.wait(), 5)

    def full(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoint_module, "_atomic_write", full)
    task.cancel()
    publisher.gate.set()
    with pytest.raises(CheckpointError, match="No space left"):
        await task
