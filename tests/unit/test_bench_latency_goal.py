"""The latency section names the highest swept level that met the p99 goal (bench/sections.py)."""

from typing import Any

from bench.sections import latency, within_goal


def level(rate: float, p99: float | None) -> dict[str, Any]:
    dept = {"n": 0} if p99 is None else {"n": 100, "p50": p99 / 2, "p95": p99, "p99": p99}
    empty = {"n": 0}
    return {
        "rate": rate,
        "acked": 100,
        "skipped": 0,
        "latency_ms": {"intake": empty, "dept": dept, "http_ack_ms": empty},
    }


def test_the_highest_level_within_the_goal_is_named() -> None:
    lat = {
        "peak_msg_s": 600.0,
        "levels": {
            "10%": level(60.0, 180.0),
            "25%": level(150.0, 250.0),  # the bound itself meets it
            "50%": level(300.0, 7900.0),
            "80%": level(480.0, None),  # no samples
        },
    }
    assert within_goal(lat) == "25% of peak (150.0 msg/s)"
    assert any("25% of peak" in line for line in latency({"latency": lat}))


def test_no_level_within_the_goal_says_so() -> None:
    lat = {"peak_msg_s": 600.0, "levels": {"50%": level(300.0, 251.0)}}
    assert within_goal(lat) == "none of the levels swept"
