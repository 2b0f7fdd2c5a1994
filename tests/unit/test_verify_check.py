"""The exactly-once verdict on hand-made records: it must catch every kind of violation."""

import orjson

from intake.topics import Topics
from router.eos.record import SOURCE_HEADER
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


INPUTS = [intake(0), intake(1), intake(2, "poison"), intake(3, "auto_reply")]
GOOD = [
    out(T.dept("logistics"), 0, 0),
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
    report = check(T, DEPTS, INPUTS, GOOD[1:])
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
    assert check(T, DEPTS, inputs, outputs).counts == {"order": 1}


def test_upstream_loss_and_duplication_of_sequence_numbers() -> None:
    report = check(T, DEPTS, [intake(0), intake(0)], [], expected_seqs=2)
    assert report.counts["input_lost_upstream"] == 1
    assert report.counts["input_written_twice"] == 1


def test_a_message_id_dispatched_from_two_inputs_is_counted() -> None:
    inputs = [intake(0), intake(1)]
    outputs = [out(T.dept("logistics"), 0, 0, mid="m"), out(T.dept("logistics"), 1, 1, mid="m")]
    report = check(T, DEPTS, inputs, outputs)
    assert report.ok and report.redispatched == 1
