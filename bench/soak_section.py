"""BENCHMARKS.md's soak section, from the newest `bench/results/*Z.soak.json`."""

from typing import Any

from bench.md import f, table
from bench.soak_record import PROCESSES, slope_text


def soak(s: dict[str, Any] | None, source: str) -> list[str]:
    if s is None:
        return ["## Soak", "", "No soak recorded yet: `python -m bench.soak` (30 min).", ""]
    summary, checks = s["summary"], s["checks"]
    lb, la = s["load_before"], s["load_after"]
    restarts = ", ".join(f"{name} at {t:.0f} s" for t, name in s["restarts"]) or "none"
    lines = [
        "## Soak (not in CI)",
        "",
        f"From `{source}`, started {s['started']} (git {s['machine']['git_commit']}, Kafka "
        f"{s['machine']['kafka']}), load average {lb['1m']} before and {la['1m']} after, on "
        f"{s['machine']['cpus']} cores:",
        "",
        f"    {s['command']}",
        "",
        f"Real `omniroute intake` and `omniroute router` processes; restarts (SIGTERM, start): "
        f"{restarts}. Memory and descriptors are sampled every {s['args']['interval']:g} s; "
        f"the slope is fitted after {summary['after_s']:.0f} s (twice the dedup window, so the "
        "windows are full and expiring), within each process lifetime.",
        "",
        *table(
            ["process", "RSS first third", "RSS last third", "RSS max", "slope", "fds"],
            [
                [
                    name,
                    f"{summary[name]['rss_first_third_mib']:.1f} MiB",
                    f"{summary[name]['rss_last_third_mib']:.1f} MiB",
                    f"{summary[name]['rss_max_mib']:.1f} MiB",
                    slope_text(summary[name]["slope_mib_per_hour"]),
                    f"{summary[name]['fds_min']}..{summary[name]['fds_max']}",
                ]
                for name in PROCESSES
            ],
        ),
        "",
        f"- answers: {summary['answers']}; router lag max {f(summary['lag_max'], 0)}, last "
        f"{f(summary['lag_last'], 0)} records",
        f"- exactly-once verifier: {'OK' if checks['verifier_ok'] else '**FAILED**'}: "
        f"{checks['verifier']}",
        f"- intake: {checks['accepted']:,} answered 2xx, {checks['distinct_on_kafka']:,} distinct "
        f"ids on Kafka, lost {checks['lost']}, on Kafka twice {checks['twice']}, refused but "
        f"landed {checks['refused_but_landed']}",
        f"- verdict: **{'OK' if checks['ok'] else 'FAILED'}**",
        "",
        *table(
            ["t (s)", "intake RSS MiB", "intake fds", "router RSS MiB", "router fds", "lag"],
            [
                [
                    f(x["t_s"], 0),
                    x["rss_mib"]["intake"],
                    str(x["fds"]["intake"]),
                    x["rss_mib"]["router"],
                    str(x["fds"]["router"]),
                    f(x["lag"], 0),
                ]
                for x in s["samples"]
            ],
        ),
        "",
    ]
    return lines
