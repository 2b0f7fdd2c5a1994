"""PNG charts of one results file (matplotlib, no display needed)."""

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # headless: the suite runs on servers and in CI-like shells
import matplotlib.pyplot as plt


def _bars(path: Path, title: str, labels: list[str], values: list[float], unit: str) -> None:
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bars = ax.barh(labels, values, color="#4c72b0")
    ax.bar_label(bars, labels=[f"{v:,.0f}" for v in values], padding=3, fontsize=8)
    ax.set_xlabel(unit)
    ax.set_title(title, fontsize=10)
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def throughput(out: Path, r: dict[str, Any]) -> list[str]:
    made = []
    if "throughput" in r:
        rates = r["throughput"]["rate"]
        _bars(
            out / "throughput.png",
            "Backlog drain (median over rounds)",
            list(rates),
            list(rates.values()),
            "messages / s",
        )
        made.append("throughput.png")
    if "scaling" in r:
        rates = r["scaling"]["rate"]
        _bars(
            out / "scaling.png",
            f"Router processes on {r['scaling']['partitions']} partitions",
            list(rates),
            list(rates.values()),
            "messages / s",
        )
        made.append("scaling.png")
    return made


def latency(out: Path, r: dict[str, Any]) -> list[str]:
    if "latency" not in r:
        return []
    fig, ax = plt.subplots(figsize=(7, 3.4))
    levels = r["latency"]["levels"]
    x, ticks, labels = 0, [], []
    for level, data in levels.items():
        ticks.append(x + 2.5)
        labels.append(f"{level} of peak\np50 / p95 / p99")
        for kind, color in (("intake", "#55a868"), ("dept", "#4c72b0")):
            lat = data["latency_ms"][kind]
            if lat.get("n"):
                ax.bar(
                    [x, x + 1, x + 2],
                    [lat["p50"], lat["p95"], lat["p99"]],
                    color=color,
                    label=f"{'to intake topic' if kind == 'intake' else 'to dept topic'}"
                    if level == next(iter(levels))
                    else None,
                )
            x += 3
        x += 1
    ax.axhline(250, color="#c44e52", linestyle="--", linewidth=1, label="goal p99 250 ms")
    ax.set_ylabel("ms")
    ax.set_yscale("log")
    ax.set_title("HTTP ingest -> read_committed consumer latency", fontsize=10)
    ax.legend(fontsize=7)
    ax.set_xticks(ticks, labels, fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "latency.png", dpi=110)
    plt.close(fig)
    return ["latency.png"]


def http(out: Path, r: dict[str, Any]) -> list[str]:
    if "http" not in r:
        return []
    runs = r["http"]["runs"]
    _bars(
        out / "http.png",
        "HTTP ingest with wrk (closed loop)",
        list(runs),
        [v["messages_s"] for v in runs.values()],
        "messages / s",
    )
    return ["http.png"]


def state(out: Path, r: dict[str, Any]) -> list[str]:
    if "state" not in r:
        return []
    labels, values = [], []
    for keys, entry in r["state"].items():
        for name, fig in entry["state_bench"].items():
            if "bytes_per_key" not in fig:
                continue
            labels.append(f"{int(keys):,} keys: {name}")
            values.append(fig["bytes_per_key"])
    if not values:
        return []
    _bars(out / "state.png", "Dedup state: bytes per key (goal <= 64)", labels, values, "bytes")
    return ["state.png"]


def profile(out: Path, r: dict[str, Any]) -> list[str]:
    parts = r.get("profile", {}).get("components")
    if not parts:
        return []
    _bars(
        out / "profile.png",
        "Router CPU by component (py-spy samples)",
        [p[0] for p in parts],
        [p[1] for p in parts],
        "% of samples",
    )
    return ["profile.png"]


def all_plots(out: Path, r: dict[str, Any]) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    return [*throughput(out, r), *latency(out, r), *http(out, r), *state(out, r), *profile(out, r)]
