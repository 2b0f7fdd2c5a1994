"""End-to-end latency probe: a department tool's view (read_committed), in its own process.

    python -m bench.collector OUT.json        (Kafka settings from OMNIROUTE_KAFKA_*)

Reads the intake topics and the department topics from their current end, and for every record
stamped by the sender (`metadata.bench_t`, wall-clock ns of the *scheduled* send, so a sender
falling behind counts as latency, not as a missing sample) notes how long after the stamp it
became visible. Intake latency (HTTP ingest -> intake topic) is the in-run baseline of the
end-to-end figure (HTTP ingest -> department topic): the difference is the router's share.
On SIGTERM it writes {"intake": {seq: ms}, "dept": {seq: ms}} to OUT.json.
"""

import asyncio
import re
import sys
import time
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer

from intake.kafka import client_kwargs
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.signals import run_until_signal
from router.config import load_default_config
from router.verify.read import partitions_of

# A regex, not a JSON parse: the probe must stay cheap so it measures the pipeline, not itself.
_STAMP = re.compile(rb'"bench_t"\s*:\s*(\d+)')
_SEQ = re.compile(rb'"lg_seq"\s*:\s*(\d+)')


async def collect(kafka: KafkaSettings, out: Path, stop: asyncio.Event) -> None:
    topics = Topics(kafka.topic_prefix)
    departments = load_default_config().all_departments()
    dept_topics = {topics.dept(d) for d in departments}
    cons = AIOKafkaConsumer(
        **client_kwargs(kafka),
        group_id=None,
        enable_auto_commit=False,
        isolation_level="read_committed",
        fetch_max_wait_ms=20,
    )
    await cons.start()
    tps = await partitions_of(kafka, [*topics.all_intake(), *sorted(dept_topics)])
    cons.assign(tps)
    await cons.seek_to_end(*tps)
    for tp in tps:
        await cons.position(tp)
    # The sender waits for this file: no stamped record may be written before we look.
    out.with_suffix(".ready").touch()
    seen: dict[str, dict[int, float]] = {"intake": {}, "dept": {}}
    try:
        while not stop.is_set():
            batches = await cons.getmany(timeout_ms=50, max_records=5000)
            now = time.time_ns()
            for tp, records in batches.items():
                where = seen["dept" if tp.topic in dept_topics else "intake"]
                for r in records:
                    value = r.value or b""
                    stamp, seq = _STAMP.search(value), _SEQ.search(value)
                    if stamp and seq:
                        where[int(seq.group(1))] = (now - int(stamp.group(1))) / 1e6
    finally:
        await cons.stop()
        data = orjson.dumps(seen, option=orjson.OPT_NON_STR_KEYS)
        await asyncio.to_thread(out.write_bytes, data)


def main() -> None:
    out = Path(sys.argv[1])
    run_until_signal(lambda stop: collect(KafkaSettings(), out, stop))


if __name__ == "__main__":
    main()
