"""Unwritable or full checkpoint storage for the CDR tailer, on real Kafka: a clear error that
stops the tailer (never a silent skip), and after the storage is fixed a restart delivers every
line: nothing is lost. What Kafka acknowledged but could not be checkpointed comes again (all
of it when the checkpoint itself was lost), with the same message ids, for the router's dedup."""

import asyncio
import errno
import os
import shutil
from pathlib import Path

import orjson
import pytest

from connectors.phone import checkpoint as checkpoint_module
from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.checkpoint import CheckpointError
from intake.settings import KafkaSettings
from intake.sink import open_sink
from intake.topics import Topics
from tests.integration.kafka_helpers import read_records
from tests.integration.test_phone_tailer import SECRET, cdr

LINES = 30


def connector(path: Path, checkpoint: Path) -> AsteriskConnector:
    config = AsteriskConfig(
        path=path,
        checkpoint_path=checkpoint,
        default_region="DE",
        batch_max_lines=5,
        poll_interval_s=0.05,
    )
    return AsteriskConnector(config)


async def call_ids(kafka: KafkaSettings, expect: int) -> list[str]:
    topic = Topics(kafka.topic_prefix).intake("phone")
    records = await read_records(kafka, [topic], expect, 30.0, settle_s=1.5)
    return [orjson.loads(r.value)["metadata"]["call_id"] for r in records]


async def run_until_error(conn: AsteriskConnector, kafka: KafkaSettings) -> BaseException:
    async with open_sink(kafka, name="fault-cp", identity_secret=SECRET) as sink:
        with pytest.raises(CheckpointError) as caught:
            async with asyncio.timeout(60):
                await conn.run(sink)
    return caught.value


async def run_until_caught_up(conn: AsteriskConnector, kafka: KafkaSettings) -> None:
    async with open_sink(kafka, name="fault-cp", identity_secret=SECRET) as sink:
        task = asyncio.create_task(conn.run(sink))
        store = checkpoint_module.CheckpointStore(conn.config.checkpoint_file())
        size = conn.config.path.stat().st_size
        async with asyncio.timeout(60):
            while (saved := store.load()) is None or saved.offset < size:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_unwritable_checkpoint_stops_before_reading(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(cdr(n) for n in range(1, LINES + 1)))
    (tmp_path / "state").write_text("a file where the checkpoint directory should be")
    error = await run_until_error(connector(path, tmp_path / "state" / "cp.json"), kafka_settings)
    assert "cannot write checkpoint" in str(error) and "state/cp.json" in str(error)
    assert await call_ids(kafka_settings, 0) == []  # nothing read, nothing sent


@pytest.mark.parametrize("fault", ["not_a_directory", "disk_full"])
async def test_checkpoint_lost_mid_run_is_an_error_and_nothing_is_skipped(
    kafka_settings: KafkaSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    path = tmp_path / "Master.csv"
    path.write_bytes(b"".join(cdr(n) for n in range(1, LINES + 1)))
    state = tmp_path / "state"
    state.mkdir()
    conn = connector(path, state / "cp.json")
    writes = 0
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        nonlocal writes
        writes += 1
        if writes > 3:  # the probe, the first checkpoint, then two batches succeed
            if fault == "disk_full":
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            shutil.rmtree(state)
            state.write_text("the checkpoint directory was replaced by a file")
        real_fsync(fd)

    monkeypatch.setattr(checkpoint_module.os, "fsync", failing_fsync)
    error = await run_until_error(conn, kafka_settings)
    expected = "No space left" if fault == "disk_full" else "cannot write checkpoint"
    assert expected in str(error) and "cp.json" in str(error)
    monkeypatch.setattr(checkpoint_module.os, "fsync", real_fsync)
    if state.is_file():  # the operator fixes the storage; the last good checkpoint is gone
        state.unlink()
        state.mkdir()
    await run_until_caught_up(connector(path, state / "cp.json"), kafka_settings)
    ids = await call_ids(kafka_settings, LINES)
    assert set(ids) == {f"1709547300.{n}" for n in range(1, LINES + 1)}  # none skipped
    print(f"{fault}: {len(ids) - LINES} lines delivered twice after the restart")
