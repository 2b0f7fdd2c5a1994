"""`omniroute deadletter list | show | redrive`: inspect deadletter records and re-publish them
to the topic they came from (omniroute/commands/ops_redrive.py), once the cause is fixed (a
router fix, a config change) or with a corrected payload."""

import argparse
import asyncio
import base64
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from intake import serde
from intake.deadletter import DeadLetter
from intake.errors import InvalidInput
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute.commands import ops_kafka as ok
from omniroute.commands.ops_redrive import Entry, redrive
from omniroute.target import resolve_kafka


async def load(kafka: KafkaSettings, args: argparse.Namespace) -> list[Entry]:
    topic = Topics(kafka.topic_prefix).deadletter
    since = ok.parse_time(args.since) if getattr(args, "since", None) else None
    wanted = {ok.at(a) for a in getattr(args, "at", None) or []}
    out: list[Entry] = []
    async with ok.reader(kafka) as consumer:
        tps = await ok.partitions(consumer, [topic])
        if not tps:
            raise ok.OpsError(f"no topic {topic} (run `omniroute topics ensure`)")
        async for r in ok.read(consumer, await ok.ranges(consumer, tps, since)):
            if wanted and (r.partition, r.offset) not in wanted:
                continue
            try:
                entry = Entry(r.partition, r.offset, serde.loads(DeadLetter, r.value or b""))
            except InvalidInput as exc:
                entry = Entry(r.partition, r.offset, None, str(exc)[:200])
            if _matches(entry, args):
                out.append(entry)
    return out


def _matches(entry: Entry, args: argparse.Namespace) -> bool:
    d = entry.record
    if getattr(args, "reason", None) and (d is None or d.reason_code != args.reason):
        return False
    return not (getattr(args, "stage", None) and (d is None or d.stage.value != args.stage))


def _list(args: argparse.Namespace) -> int:
    entries = asyncio.run(load(resolve_kafka(), args))
    shown = entries[-args.limit :] if args.limit else entries
    if args.json:
        for e in shown:
            sys.stdout.write(serde.dumps_obj(_summary(e)).decode() + "\n")
        return 0
    rows = [
        [e.where, d.failed_at.isoformat(timespec="seconds"), d.stage.value, d.reason_code,
         d.source, _source(d), d.reason.splitlines()[0][:60] if d.reason else ""]
        if (d := e.record) else [e.where, "?", "?", "unreadable", "?", "-", e.problem[:60]]
        for e in shown
    ]  # fmt: skip
    header = ["AT", "FAILED_AT", "STAGE", "REASON_CODE", "SOURCE", "FROM", "REASON"]
    print(ok.table(header, rows))
    counts = Counter((e.record.stage.value, e.record.reason_code) for e in entries if e.record)
    by = ", ".join(f"{s}/{r}={n}" for (s, r), n in counts.most_common())
    print(f"\n{len(entries)} deadletter(s); by stage/reason: {by}" if entries else "no deadletters")
    return 0


def _source(d: DeadLetter) -> str:
    return f"{d.source_topic}/{d.source_partition}/{d.source_offset}" if d.source_topic else "-"


def _summary(e: Entry) -> dict[str, Any]:
    if e.record is None:
        return {"at": e.where, "unreadable": e.problem}
    return {"at": e.where, **e.record.model_dump(mode="json", exclude={"raw_b64"})}


def _show(args: argparse.Namespace) -> int:
    args.at = [args.position]
    entries = asyncio.run(load(resolve_kafka(), args))
    if not entries:
        raise ok.OpsError(f"no deadletter at {args.position}")
    e = entries[0]
    doc = _summary(e)
    if e.record is not None:
        raw = e.record.raw
        try:
            doc["raw_text"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            doc["raw_b64"] = base64.b64encode(raw).decode()
        doc["raw_bytes"] = len(raw)
    sys.stdout.write(serde.dumps_pretty(doc).decode() + "\n")
    return 0


def _redrive(args: argparse.Namespace) -> int:
    payload = Path(args.fixed).read_bytes() if args.fixed else None
    sent, skipped = asyncio.run(redrive(resolve_kafka(), args, payload, load))
    verb = "would redrive" if args.dry_run else "redriven"
    print(f"{sent} {verb}, {skipped} skipped")
    return 1 if skipped and not sent else 0


def _guard(func: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            code: int = func(args)
        except (ok.OpsError, OSError) as exc:
            print(f"omniroute deadletter: {exc}", file=sys.stderr)
            return 2
        return code

    return run


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("deadletter", help="inspect and redrive deadletter records")
    sub = p.add_subparsers(dest="deadletter_command", required=True)
    ls = sub.add_parser("list", help="deadletters with their stage and reason")
    show = sub.add_parser("show", help="one deadletter in full, raw payload included")
    show.add_argument("position", metavar="PARTITION:OFFSET")
    rd = sub.add_parser("redrive", help="re-publish deadletters to their source topic")
    rd.add_argument("--at", action="append", metavar="PARTITION:OFFSET", help="this record")
    rd.add_argument("--fixed", metavar="FILE", help="publish FILE's bytes instead (one --at)")
    rd.add_argument("--to", metavar="TOPIC", help="another topic than the source topic")
    rd.add_argument("--force", action="store_true", help="send even if still invalid")
    rd.add_argument("--dry-run", action="store_true", help="print what would be sent")
    for q in (ls, rd):
        q.add_argument("--reason", metavar="CODE", help="only this reason_code")
        q.add_argument("--stage", help="only this stage (connector, intake, router_decode, ...)")
        q.add_argument("--since", metavar="TIME", help="only newer: ISO time or age (2h, 3d)")
    ls.add_argument("--limit", type=int, default=200, help="show the newest N (0 = all)")
    ls.add_argument("--json", action="store_true", help="JSON lines, raw payload excluded")
    ls.set_defaults(func=_guard(_list))
    show.set_defaults(func=_guard(_show))
    rd.set_defaults(func=_guard(_redrive))
