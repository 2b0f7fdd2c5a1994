"""The exactly-once verdict on hand-made records: it must catch every kind of violation."""

import orjson

from intake.topics import Topics
from router.eos.record import SOURCE_HEADER
from router.sla.dispatched import TYPE_DISPATCHED
from router.verify.check import check
from router.verify.read import Rec

T = Topics("t")
DEPTS = ["logistics", "triage"]
EMAIL = T.intake("email")


def intake(offset: int, kind: str = "message", key: bytes = b"k1") -> Rec:
    value = orjson.dumps({"kind": kind, "metadata": {"lg_seq": offset}})
    if kind == "poison":
        value = b'{"lg_seq": %d, "poison": ' % offset
    return Rec(EMAIL, 0, offset, key, {}, value)


def out(topic: str, offset: int, src: int, key: bytes | None = b"k1", mid: str = "") -> Rec:
    headers = {SOURCE_HEADER: f"{EMAIL}/0/{src}".encode(), "ce_id": (mid or f"m{src}").encode()}
    return Rec(topic, 0, offset, key, headers, None)


def clock(offset: int, src: int, case: bytes = b"c1") -> Rec:
    """The router's `dispatched` record on the events topic (the SLA clock start)."""
    rec = out(T.events, offset, src, case)
    return Rec(
        rec.topic, 0, offset, case, {**rec.headers, "ce_type": TYPE_DISPATCHED.encode()}, None
    )


INPUTS = [intake(0), intake(1), intake(2, "poison"), intake(3, "auto_reply")]
GOOD = [
    out(T.dept("logistics"), 0, 0),
    clock(0, 0),
    out(T.decisions, 0, 0, b"id0"),
    out(T.duplicates, 0, 1),
    out(T.deadletter, 0, 2, None),
    out(T.decisions, 1, 3, b"id3"),
]


def test_a_clean_run_passes_and_counts_outcomes() -> None:
    report = check(T, DEPTS, INPUTS, GOOD, expected_seqs=4)
    assert report.ok, report.summary()
    assert report.outcomes == {"dispatched": 1, "duplicate": 1, "deadletter": 1, "recorded": 1}


def test_missing_output() -> None:
    report = check(T, DEPTS, INPUTS, [r for r in GOOD[1:] if r.topic != T.events])
    assert report.counts == {"missing": 1}


def test_output_committed_twice() -> None:
    report = check(T, DEPTS, INPUTS, [*GOOD, out(T.dept("logistics"), 1, 0)])
    assert report.counts["dispatched_twice"] == 1


def test_two_outcomes_for_one_input() -> None:
    report = check(T, DEPTS, INPUTS, [*GOOD, out(T.dept("triage"), 0, 1)])
    assert report.counts == {"several_outcomes": 1}


def test_output_of_an_unknown_input() -> None:
    report = check(T, DEPTS, INPUTS, [*GOOD, out(T.dept("triage"), 0, 99, b"k9")])
    assert report.counts == {"extra_output": 1}


def test_per_key_order() -> None:
    inputs = [intake(0), intake(1)]
    outputs = [out(T.dept("logistics"), 0, 1), out(T.dept("logistics"), 1, 0)]
    assert check(T, DEPTS, inputs, outputs, sla_clock=False).counts == {"order": 1}


def test_upstream_loss_and_duplication_of_sequence_numbers() -> None:
    report = check(T, DEPTS, [intake(0), intake(0)], [], expected_seqs=2)
    assert report.counts["input_lost_upstream"] == 1
    assert report.counts["input_written_twice"] == 1


def test_a_message_id_dispatched_from_two_inputs_is_counted() -> None:
    inputs = [intake(0), intake(1)]
    outputs = [out(T.dept("logistics"), 0, 0, mid="m"), out(T.dept("logistics"), 1, 1, mid="m")]
    report = check(T, DEPTS, inputs, outputs, sla_clock=False)
    assert report.ok and report.redispatched == 1


def test_a_dispatch_needs_exactly_one_sla_clock_start() -> None:
    without = [r for r in GOOD if r.topic != T.events]
    assert check(T, DEPTS, INPUTS, without).counts == {"dispatch_without_sla_clock": 1}
    assert check(T, DEPTS, INPUTS, without, sla_clock=False).ok
    twice = check(T, DEPTS, INPUTS, [*GOOD, clock(1, 0)])
    assert twice.counts["sla_clock_twice"] == 1
    stray = check(T, DEPTS, INPUTS, [*GOOD, clock(1, 1, b"c2")])  # input 1 is a duplicate
    assert stray.counts == {"sla_clock_without_dispatch": 1}
    peer = check(T, DEPTS, INPUTS, GOOD, sla_clock=False)
    assert peer.counts == {"unexpected_sla_clock": 1}


def test_the_tools_own_events_are_not_router_outputs() -> None:
    tool = Rec(T.events, 0, 5, b"c1", {"ce_type": b"io.omniroute.case_event.v1"}, None)
    assert check(T, DEPTS, INPUTS, [*GOOD, tool]).ok
