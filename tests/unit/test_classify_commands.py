"""`train` and `eval` through `register` on a throw-away parser."""

import argparse
import json
from pathlib import Path

import pytest

from router.classify.commands import register

pytestmark = pytest.mark.unit

TRAIN = [
    ("where is my parcel", "logistics"),
    ("tracking has not moved", "logistics"),
    ("package is late again", "logistics"),
    ("快递到哪了", "logistics"),
    ("i was charged twice", "billing"),
    ("payment failed at checkout", "billing"),
    ("send me an invoice", "billing"),
    ("扣了我两次钱", "billing"),
]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="omniroute")
    register(parser.add_subparsers(dest="command", required=True))
    return parser


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    result: int = args.func(args)
    return result


def test_train_then_eval(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "train.jsonl"
    data.write_text("".join(json.dumps({"text": t, "department": d}) + "\n" for t, d in TRAIN))
    held = tmp_path / "held.csv"
    held.write_text("utterance,category,intent\nwhere is my parcel,ORDER,track_order\n")
    out = tmp_path / "model.bin"
    assert _run(["train", "--data", str(data), "--exclude", str(held), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "excluded 1 rows" in printed and out.exists()

    assert _run(["eval", "--labelled", str(data), "--model", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "macro-F1" in printed and "confusion" in printed

    assert _run(["eval", "--labelled", str(data), "--model", str(out), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["n"] == len(TRAIN)
    assert set(body["labels"]) >= {"billing", "logistics"}
    assert 0.0 <= body["macro_f1"] <= 1.0


def test_triage_threshold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "t.jsonl"
    data.write_text("".join(json.dumps({"text": t, "department": d}) + "\n" for t, d in TRAIN))
    model = tmp_path / "m.bin"
    assert _run(["train", "--data", str(data), "--out", str(model)]) == 0
    capsys.readouterr()
    argv = ["eval", "--labelled", str(data), "--model", str(model), "--json"]
    assert _run([*argv, "--triage-below", "1.01"]) == 0  # nothing is that sure: all triage
    body = json.loads(capsys.readouterr().out)
    assert body["labels"] == ["billing", "logistics", "triage"]
    assert body["accuracy"] == 0.0


def test_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["eval", "--labelled", str(tmp_path / "none.csv")]) == 2
    assert _run(["train", "--data", str(tmp_path / "x.txt"), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("error: ") for line in err)
