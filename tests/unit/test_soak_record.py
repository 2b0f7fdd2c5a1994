"""A soak's record: summarised per process, written as JSON next to the benchmark results, and
rendered into BENCHMARKS.md's soak section."""

from pathlib import Path

import orjson
import pytest

from bench.soak_record import Sample, SoakRecord, newest, summarise, write
from bench.soak_section import soak

pytestmark = pytest.mark.unit


def sample(t: float, router_mib: float, life: int = 1, lag: float | None = 6.0) -> Sample:
    return Sample(
        t_s=t,
        rss_mib={"intake": 80.0, "router": router_mib},
        fds={"intake": 110, "router": 21},
        lifetime={"intake": 1, "router": life},
        lag=lag,
        answers={"202": int(t * 50)},
    )


def record() -> SoakRecord:
    machine = {"git_commit": "abc1234", "kafka": "4.2.2", "cpus": 2}
    args = {"minutes": 4.0, "interval": 60.0}
    r = SoakRecord("python -m bench.soak --minutes 4", args, machine, {"1m": 0.5})
    r.samples = [
        sample(60, 100.0),
        sample(120, 101.0),
        sample(180, 110.0, 2),
        sample(240, 111.0, 2),
    ]
    r.restarts = [(150.0, "router")]
    r.summary = summarise(r.samples, after_s=60) | {"answers": {"202": 12000}}
    r.checks = {"ok": True, "verifier_ok": True, "verifier": "inputs 12000", "accepted": 12000}
    r.checks |= {"distinct_on_kafka": 12000, "lost": 0, "twice": 0, "refused_but_landed": 0}
    r.load_after = {"1m": 0.7}
    return r


def test_summary_per_process_fits_the_slope_within_lifetimes() -> None:
    summary = record().summary
    assert summary["router"]["rss_max_mib"] == 111.0
    assert summary["router"]["fds_min"] == summary["router"]["fds_max"] == 21
    assert summary["router"]["slope_mib_per_hour"] == pytest.approx(60.0)  # 1 MiB a minute
    assert summary["intake"]["slope_mib_per_hour"] == 0.0
    assert (summary["lag_max"], summary["lag_last"]) == (6.0, 6.0)


def test_too_short_a_run_has_no_slope_rather_than_nan() -> None:
    summary = summarise([sample(60, 100.0)], after_s=600)
    assert summary["router"]["slope_mib_per_hour"] is None
    orjson.dumps(summary)  # NaN would not be valid JSON


def test_written_record_is_the_newest_and_renders(tmp_path: Path) -> None:
    assert newest(tmp_path) is None
    path = write(tmp_path, record())
    assert path.name.endswith("Z.soak.json")
    found = newest(tmp_path)
    assert found is not None and found[1] == path
    text = "\n".join(soak(found[0], "bench/results/x.soak.json"))
    assert "python -m bench.soak --minutes 4" in text
    assert "router at 150 s" in text
    assert "| router | 100.0 MiB | 111.0 MiB | 111.0 MiB | +60.0 MiB/h" in text
    assert "verdict: **OK**" in text
    assert "| 240 | 80.0 | 110 | 111.0 | 21 | 6 |" in text


def test_no_soak_yet_says_how_to_run_one() -> None:
    assert "python -m bench.soak" in "\n".join(soak(None, ""))
