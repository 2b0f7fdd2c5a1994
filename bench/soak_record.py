"""What a soak measured, as data: the per-interval samples, the summary per process and the
closing checks, written to `bench/results/<stamp>Z.soak.json` so that BENCHMARKS.md shows the
newest soak (`bench/report.py`) next to the benchmark figures."""

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from bench.soak_verify import slope_mib_per_hour

PROCESSES = ("intake", "router")


@dataclass
class Sample:
    t_s: float
    rss_mib: dict[str, float]
    fds: dict[str, int]
    lifetime: dict[str, int]  # how many times the process had been started
    lag: float | None
    answers: dict[str, int]


@dataclass
class SoakRecord:
    command: str
    args: dict[str, Any]
    machine: dict[str, Any]
    load_before: dict[str, float]
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    samples: list[Sample] = field(default_factory=list)
    restarts: list[tuple[float, str]] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    checks: dict[str, Any] = field(default_factory=dict)
    load_after: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.checks.get("ok"))


def summarise(samples: list[Sample], after_s: float) -> dict[str, Any]:
    """RSS in the first and last third, max, fd range and the slope after `after_s` (the dedup
    windows full by then), per process; the router's lag."""
    third = max(1, len(samples) // 3)
    out: dict[str, Any] = {"after_s": after_s}
    for name in PROCESSES:
        first = [s.rss_mib[name] for s in samples[:third]]
        last = [s.rss_mib[name] for s in samples[-third:]]
        fds = [s.fds[name] for s in samples]
        late = [(s.t_s, s.rss_mib[name], s.lifetime[name]) for s in samples if s.t_s >= after_s]
        slope = slope_mib_per_hour(late)
        out[name] = {
            "rss_first_third_mib": round(sum(first) / len(first), 1),
            "rss_last_third_mib": round(sum(last) / len(last), 1),
            "rss_max_mib": max(s.rss_mib[name] for s in samples),
            "fds_min": min(fds),
            "fds_max": max(fds),
            "slope_mib_per_hour": None if math.isnan(slope) else round(slope, 2),
        }
    lags = [s.lag for s in samples if s.lag is not None]
    out["lag_max"] = max(lags) if lags else None
    out["lag_last"] = lags[-1] if lags else None
    return out


def slope_text(slope: float | None) -> str:
    if slope is None:  # a run shorter than the settle time: nothing to fit
        return "n/a (too few samples after it; run longer)"
    return f"{slope:+.1f} MiB/h (within process lifetimes)"


def summary_lines(summary: dict[str, Any]) -> list[str]:
    lines = []
    for name in PROCESSES:
        p = summary[name]
        lines.append(
            f"{name}: rss first third {p['rss_first_third_mib']:.1f} MiB, last third "
            f"{p['rss_last_third_mib']:.1f} MiB, max {p['rss_max_mib']:.1f} MiB; fds "
            f"{p['fds_min']}..{p['fds_max']}; slope after {summary['after_s']:.0f} s "
            f"{slope_text(p['slope_mib_per_hour'])}"
        )
    if summary["lag_max"] is not None:
        lines.append(
            f"router lag: max {summary['lag_max']:.0f}, last {summary['lag_last']:.0f} records"
        )
    return lines


def write(root: Path, record: SoakRecord) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = root / "bench" / "results" / f"{stamp}.soak.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(record, option=orjson.OPT_INDENT_2))
    return out


def newest(root: Path) -> tuple[dict[str, Any], Path] | None:
    found = sorted((root / "bench" / "results").glob("*Z.soak.json"))
    return (orjson.loads(found[-1].read_bytes()), found[-1]) if found else None
