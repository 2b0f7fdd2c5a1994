"""One BENCHMARKS.md section per scenario, from a results dict (missing scenarios: none)."""

from typing import Any

from bench.md import f, table


def goals(r: dict[str, Any]) -> list[str]:
    ratio = r.get("throughput", {}).get("ratio", {})
    p99 = r.get("latency", {}).get("levels", {}).get("50%", {}).get("latency_ms", {})
    p99 = p99.get("dept", {}).get("p99")
    per_key = [
        e["state_bench"].get("compact (exact layer)", {}).get("bytes_per_key")
        for e in r.get("state", {}).values()
    ]
    rows = [
        ["router / pass-through msg/s", ">= 0.7", ratio.get("router/passthrough"), 0.7, True],
        ["router / quix-streams msg/s", ">= 1.5", ratio.get("router/quix"), 1.5, True],
        ["p99 end-to-end at 50 % of peak", "<= 250 ms", p99, 250, False],
        [
            "bytes per dedup key (compact)",
            "<= 64",
            max((p for p in per_key if p), default=None),
            64,
            False,
        ],
    ]
    out = []
    for name, target, value, bound, higher in rows:
        met = "n/a" if value is None else ("yes" if (value >= bound) == higher else "**no**")
        out.append([name, target, f(value, 2), met])
    gate = "PASSED" if r.get("gate_ok") else "**FAILED**"
    out.append(["correctness gate (nothing lost or doubled)", "every run", gate, ""])
    return table(["goal", "target", "measured", "met"], out)


def throughput(r: dict[str, Any], key: str, title: str) -> list[str]:
    t = r.get(key)
    if not t:
        return []
    base = t["baseline"]
    rows = []
    for name, rate in t["rate"].items():
        ratio = 1.0 if name == base else t["ratio"].get(f"{name}/{base}")
        cpu_ratio = 1.0 if name == base else t.get("cpu_ratio", {}).get(f"{name}/{base}")
        cpu = t.get("cpu_ms_per_msg", {}).get(name)
        rounds = ", ".join(f(rd[name]["rate"], 0) for rd in t["rounds"])
        start = ", ".join(f(rd[name]["startup_s"]) for rd in t["rounds"])
        rows.append([name, rate, f(ratio, 3), f(cpu, 3), f(cpu_ratio, 3), rounds, start])
    head = [
        "contender",
        "msg/s (median)",
        f"msg/s ratio to {base}",
        "CPU ms/msg",
        f"CPU-efficiency ratio to {base}",
        "per round msg/s",
        "startup s",
    ]
    lines = [f"## {title}", "", *table(head, rows), ""]
    for k, v in t["ratio"].items():
        if not k.endswith(f"/{base}"):
            cpu_ratio = f(t.get("cpu_ratio", {}).get(k), 3)
            lines.append(f"- msg/s ratio {k}: **{f(v, 3)}** (CPU-efficiency ratio {cpu_ratio})")
    return [*lines, ""]


def latency(r: dict[str, Any]) -> list[str]:
    lat = r.get("latency")
    if not lat:
        return []
    rows = []
    for level, d in lat["levels"].items():
        i, e, h = d["latency_ms"]["intake"], d["latency_ms"]["dept"], d["latency_ms"]["http_ack_ms"]
        rows.append(
            [
                level,
                d["rate"],
                d["acked"],
                d["skipped"],
                f"{f(i.get('p50'))} / {f(i.get('p95'))} / {f(i.get('p99'))}",
                f"{f(e.get('p50'))} / {f(e.get('p95'))} / {f(e.get('p99'))}",
                f(h.get("p99")),
                e.get("n", 0),
            ]
        )
    head = [
        "level",
        "msg/s sent",
        "acked",
        "skipped",
        "to intake topic p50/p95/p99 ms",
        "end-to-end (dept topic) p50/p95/p99 ms",
        "HTTP ack p99 ms",
        "samples",
    ]
    return [
        f"## 3. End-to-end latency (peak = {f(lat['peak_msg_s'])} msg/s)",
        "",
        *table(head, rows),
        "",
        f"- highest level with end-to-end p99 <= {P99_GOAL_MS} ms: **{within_goal(lat)}**",
        "",
    ]


P99_GOAL_MS = 250


def within_goal(lat: dict[str, Any]) -> str:
    """The highest swept level whose department-topic p99 met the goal, or 'none'."""
    met = [
        (d["rate"], level)
        for level, d in lat["levels"].items()
        if (p99 := d["latency_ms"]["dept"].get("p99")) is not None and p99 <= P99_GOAL_MS
    ]
    if not met:
        return "none of the levels swept"
    rate, level = max(met)
    return f"{level} of peak ({f(rate)} msg/s)"


def http(r: dict[str, Any]) -> list[str]:
    h = r.get("http")
    if not h:
        return []
    rows = [
        [k, v.get("requests_s"), v["messages_s"], v.get("p50_ms"), v.get("p99_ms"), v["non_2xx"]]
        for k, v in h["runs"].items()
    ]
    lines = [
        f"## 4. HTTP ingest (wrk, {h['connections']} connections, batches of {h['batch']})",
        "",
        *table(["run", "req/s", "msg/s", "p50 ms", "p99 ms", "non-2xx"], rows),
        "",
    ]
    lines += [f"- msg/s ratio {k}: **{f(v, 3)}**" for k, v in h["ratio"].items()]
    mode = h.get("intake_publisher", "n/a")
    lines.append(f"- intake ran with its default publisher: `{mode}` (plain: idempotent producer)")
    return [*lines, ""]


def state(r: dict[str, Any]) -> list[str]:
    s = r.get("state")
    if not s:
        return []
    rows = []
    for keys, e in s.items():
        for name, v in e["state_bench"].items():
            if "bytes_per_key" not in v:
                rows.append([f"{int(keys):,}", name, "", "", f"{v['apply_us_per_msg']} us CPU"])
                continue
            rows.append(
                [f"{int(keys):,}", name, v["bytes_per_key"], v["rss_bytes_per_key"], v["restore_s"]]
            )
        k = e["kafka_restore"] or {"restore_s": f"did not finish (exit {e['restore_exit']})"}
        rows.append(
            [
                f"{int(keys):,}",
                "restore through Kafka (router take-over path)",
                k.get("resident_bytes_per_key"),
                "",
                k.get("restore_s"),
            ]
        )
    head = ["keys", "structure", "bytes/key", "RSS bytes/key", "restore s"]
    return ["## 5. Dedup state", "", *table(head, rows), ""]


def micro(r: dict[str, Any]) -> list[str]:
    m = r.get("micro")
    if not m:
        return []
    ru, en = m["rules"], m["encoding"]
    rows = [
        [
            "keyword rules (all rules, one message)",
            ru["before_us"],
            ru["after_us"],
            ru["speedup"],
            "identical hits" if ru["identical_hits"] else "**DIFFER**",
        ],
        [
            "encode dispatch: serde (orjson) vs pydantic to_json (not adopted)",
            en["serde_dumps_us"],
            en["pydantic_to_json_us"],
            en["speedup"],
            "identical bytes" if en["identical_bytes"] else "differ",
        ],
    ]
    return [
        "## Optimisations: before / after in this run (CPU us per message)",
        "",
        *table(["what", "before", "after", "speedup", "check"], rows),
        "",
    ]


def profile(
    r: dict[str, Any], key: str = "profile", what: str = "router draining a backlog"
) -> list[str]:
    p = r.get(key)
    if not p or "components" not in p:
        return []
    lines = [f"## Profile: {what} ({p['samples']} py-spy samples)", ""]
    lines += table(["component", "% of samples"], [[c, v] for c, v in p["components"]])
    lines += ["", *table(["function (self time)", "%"], [[c, v] for c, v in p["self"][:12]])]
    return [*lines, ""]
