"""Scenario 5: dedup state, resident bytes per key and restore time, at 1M (and 10M) keys.

Runs the state owners' own benchmarks as they are (not rewritten here): `bench/state_bench.py`
(compact tables vs the plain-dict baseline, in one process: the in-run baseline) and
`bench/restore_bench.py` (restore through Kafka by the router's own take-over path). Their
printed lines are parsed; the raw output is kept in the results in case their format moves.
"""

import asyncio
import re
import sys
from typing import Any

from bench import procs
from bench.context import Ctx

_LINE = re.compile(
    r"^(?P<name>\S.*?)\s+(?P<bytes>[\d.]+) B/key\s+peak\s+(?P<peak>[\d.]+) B/key\s+"
    r"RSS \+\s*(?P<rss>[-\d.]+) B/key\s+restore\s+(?P<wall>[\d.]+) s wall,\s+(?P<cpu>[\d.]+) s CPU",
    re.MULTILINE,
)
_APPLY = re.compile(r"apply: ([\d.]+) us CPU per message")
_RESTORE = re.compile(r"restore of (\d+) changelog records \((\d+) keys\): ([\d.]+)s")
_RESIDENT = re.compile(r"= ([\d,]+) keys/s; resident ([\d.]+) B/key")


async def _script(args: list[str], timeout_s: float) -> tuple[int | None, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        cwd=procs.ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
    return proc.returncode, out.decode(errors="replace")


def parse_state(out: str) -> dict[str, dict[str, float]]:
    found = {
        m["name"].strip(): {
            "bytes_per_key": float(m["bytes"]),
            "peak_bytes_per_key": float(m["peak"]),
            "rss_bytes_per_key": float(m["rss"]),
            "restore_s": float(m["wall"]),
            "restore_cpu_s": float(m["cpu"]),
        }
        for m in _LINE.finditer(out)
    }
    if m := _APPLY.search(out):  # dedup apply cost per message, all layers
        found["apply (all layers, per message)"] = {"apply_us_per_msg": float(m[1])}
    return found


def parse_restore(out: str) -> dict[str, float]:
    res: dict[str, float] = {}
    if m := _RESTORE.search(out):
        res |= {"records": int(m[1]), "keys": int(m[2]), "restore_s": float(m[3])}
    if m := _RESIDENT.search(out):
        res |= {"keys_s": float(m[1].replace(",", "")), "resident_bytes_per_key": float(m[2])}
    return res


async def scenario_5(ctx: Ctx) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for keys in ctx.sizes.state_keys:
        # Bounded: a restore that stops making progress must not stall the whole suite.
        limit = 120 + keys / 5000  # a healthy restore reads ~100k keys/s even on this box
        code, text = await _script(["bench/state_bench.py", "--keys", str(keys)], 600 + keys / 1000)
        entry: dict[str, Any] = {
            "state_bench": parse_state(text),
            "state_exit": code,
            "state_raw": text[-3000:],
        }
        code, text = await _script(
            ["bench/restore_bench.py", "--keys", str(keys), "--bootstrap", ctx.bootstrap], limit
        )
        entry |= {
            "kafka_restore": parse_restore(text),
            "restore_exit": code,
            "restore_raw": text[-3000:],
        }
        out[str(keys)] = entry
        compact = entry["state_bench"].get("compact (exact layer)", {})
        print(
            f"  [5] {keys:,} keys: compact {compact.get('bytes_per_key')} B/key, "
            f"Kafka restore {entry['kafka_restore'].get('restore_s')} s",
            flush=True,
        )
    return out
