"""`omniroute replay`: a safe preview of a routing change. Re-runs a range of intake records
(by time or offset) through the router's pure pipeline with a candidate config, optionally
writes the new decisions to a shadow output (a JSON-lines file, a shadow topic), and prints
how they differ from what was dispatched (`omniroute.decisions`). Nothing the live router
reads or writes is touched: no consumer group, no department topic."""

import argparse
import asyncio
import sys
from pathlib import Path

from intake import serde
from intake.admin import ensure_topics
from intake.errors import ConfigError, InvalidInput
from intake.headers import TYPE_DECISION, cloudevent_headers
from intake.kafka import durable_producer, start_producer
from intake.message import Channel
from intake.settings import KafkaSettings
from intake.topics import Topics, TopicSpec
from omniroute.commands import ops_kafka as ok
from omniroute.commands.ops_replay_diff import Dispatched, Row, render, replay_one, summarize
from omniroute.target import resolve_kafka
from router.assemble import build_classifier
from router.config import RoutingConfig, load_config
from router.pipeline import Pipeline

SHADOW_HEADER = "omniroute-shadow-config"


async def intake_records(kafka: KafkaSettings, args: argparse.Namespace) -> list[tuple[bytes, str]]:
    topics = Topics(kafka.topic_prefix)
    names = [topics.intake(c) for c in (args.channel or list(Channel))]
    since = ok.parse_time(args.since) if args.since else None
    until = ok.parse_time(args.until) if args.until else None
    out: list[tuple[bytes, str]] = []
    async with ok.reader(kafka) as consumer:
        tps = [
            tp
            for tp in await ok.partitions(consumer, names)
            if args.partition is None or tp.partition == args.partition
        ]
        span = await ok.ranges(consumer, tps, since, until)
        last = args.to_offset
        span = {tp: (max(s, args.from_offset or 0), e if last is None else min(e, last))
                for tp, (s, e) in span.items()}  # fmt: skip
        async for r in ok.read(consumer, span, args.timeout):
            out.append((r.value or b"", f"{r.topic}/{r.partition}/{r.offset}"))
            if len(out) >= args.max_records:
                break
    return out


async def dispatched(
    kafka: KafkaSettings, ids: set[str], args: argparse.Namespace
) -> dict[str, Dispatched]:
    """The last decision recorded for each of `ids`. Decisions are written after their intake
    record, so reading from the same start time finds all of them."""
    topic = Topics(kafka.topic_prefix).decisions
    since = ok.parse_time(args.since) if args.since else None
    found: dict[str, Dispatched] = {}
    async with ok.reader(kafka) as consumer:
        tps = await ok.partitions(consumer, [topic])
        async for r in ok.read(consumer, await ok.ranges(consumer, tps, since), args.timeout):
            key = (r.key or b"").decode("utf-8", "replace")
            if key in ids:
                try:
                    found[key] = serde.loads(Dispatched, r.value or b"")
                except InvalidInput:
                    continue  # an unreadable audit record is no baseline
    return found


async def write_shadow_topic(
    kafka: KafkaSettings, topic: str, rows: list[Row], version: str
) -> int:
    await ensure_topics(kafka, [TopicSpec(topic, kafka.partitions)])
    producer = durable_producer(kafka, "replay")
    await start_producer(producer, kafka.connect_timeout_s)
    sent = 0
    try:
        for row in rows:
            d = row.after_decision
            if d is None:
                continue
            headers = cloudevent_headers(
                event_id=d.message_id,
                source="/omniroute/replay",
                event_type=TYPE_DECISION,
                time=d.decided_at,
            )
            headers.append((SHADOW_HEADER, version.encode()))
            await producer.send(topic, serde.dumps(d), key=d.message_id.encode(), headers=headers)
            sent += 1
        await producer.flush()
    finally:
        await producer.stop()
    return sent


async def run(kafka: KafkaSettings, config: RoutingConfig, args: argparse.Namespace) -> list[Row]:
    records = await intake_records(kafka, args)
    # The same layered classifier (rules, model, threshold) the router builds, or the preview
    # would diff rules-only decisions against model-assisted ones.
    pipeline = Pipeline(build_classifier(config), Topics(kafka.topic_prefix))
    ids = {i for raw, _ in records if (i := _id(raw)) is not None}
    baseline = await dispatched(kafka, ids, args)
    rows = []
    for raw, source in records:
        obj_id = _id(raw)
        rows.append(replay_one(pipeline, raw, source, baseline.get(obj_id) if obj_id else None))
    if args.shadow_topic:
        await write_shadow_topic(kafka, args.shadow_topic, rows, config.version)
    return rows


def _id(raw: bytes) -> str | None:
    try:
        value = serde.loads_obj(raw).get("id")
    except (InvalidInput, AttributeError):  # not JSON, or not an object
        return None
    return value if isinstance(value, str) else None


def _main(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.config)
        rows = asyncio.run(run(resolve_kafka(), config, args))
    except (ConfigError, OSError, ok.OpsError) as exc:
        print(f"omniroute replay: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.shadow_file:
        with Path(args.shadow_file).open("wb") as out:
            for row in rows:
                if row.after_decision is not None:
                    out.write(serde.dumps(row.after_decision) + b"\n")
    if args.json:
        for row in rows:
            doc = {
                "message_id": row.message_id,
                "source": row.source,
                "changes": row.changes,
                "before": row.before and _plain(row.before),
                "after": row.after and _plain(row.after),
            }
            sys.stdout.write(serde.dumps_obj(doc).decode() + "\n")
    else:
        print(render(rows, summarize(rows), args.limit, config.version))
    return 0


def _plain(o: object) -> dict[str, str]:
    return {k: str(getattr(o, k)) for k in ("department", "priority", "sla_policy", "sla_due_at")}


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser(
        "replay", help="preview a routing config on past intake records (diff vs dispatched)"
    )
    p.add_argument("--config", type=Path, required=True, help="candidate routing YAML")
    p.add_argument("--since", metavar="TIME", help="from this time: ISO 8601 or age (6h, 2d)")
    p.add_argument("--until", metavar="TIME", help="up to this time (default: now)")
    p.add_argument("--channel", action="append", type=Channel, help="only these (repeatable)")
    p.add_argument("--partition", type=int, help="only this partition number")
    p.add_argument("--from-offset", type=int, help="first offset (per partition)")
    p.add_argument("--to-offset", type=int, help="stop before this offset (per partition)")
    p.add_argument("--max-records", type=int, default=100_000, help="read at most N records")
    p.add_argument("--shadow-topic", help="also produce the new decisions to this topic")
    p.add_argument("--shadow-file", help="also write the new decisions as JSON lines")
    p.add_argument("--limit", type=int, default=50, help="changed records to list")
    p.add_argument("--json", action="store_true", help="one JSON line per replayed record")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds for reading")
    p.set_defaults(func=_main)
