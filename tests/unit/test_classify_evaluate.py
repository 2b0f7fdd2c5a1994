"""Metrics against a confusion matrix worked out by hand."""

import pytest

from router.classify.evaluate import evaluate, format_report

pytestmark = pytest.mark.unit

# gold a: 3 rows -> a, a, b ; gold b: 2 rows -> b, b ; gold c: 1 row -> a ; plus d predicted once
GOLD = ["a", "a", "a", "b", "b", "c", "b"]
PRED = ["a", "a", "b", "b", "b", "a", "d"]


def test_known_confusion_matrix() -> None:
    r = evaluate(GOLD, PRED)
    assert r.labels == ("a", "b", "c", "d")  # gold classes, then predicted-only ones
    assert r.confusion == ((2, 1, 0, 0), (0, 2, 0, 1), (1, 0, 0, 0), (0, 0, 0, 0))
    assert r.accuracy == pytest.approx(4 / 7)
    scores = {c.label: c for c in r.per_class}
    assert scores["a"].precision == pytest.approx(2 / 3)
    assert scores["a"].recall == pytest.approx(2 / 3)
    assert scores["b"].precision == pytest.approx(2 / 3)
    assert scores["b"].recall == pytest.approx(2 / 3)
    assert scores["b"].f1 == pytest.approx(2 / 3)
    assert scores["c"].f1 == 0.0
    assert scores["d"].support == 0
    assert r.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    assert r.macro_f1_all == pytest.approx((2 / 3 + 2 / 3 + 0 + 0) / 4)


def test_perfect_and_json() -> None:
    r = evaluate(["x", "y"], ["x", "y"])
    assert (r.accuracy, r.macro_f1) == (1.0, 1.0)
    body = r.to_json()
    assert body["confusion"] == [[1, 0], [0, 1]]
    assert body["per_class"]["x"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_table_and_length_check() -> None:
    text = format_report(evaluate(GOLD, PRED))
    assert "accuracy 0.5714" in text
    assert "confusion (rows: gold, columns: predicted)" in text
    with pytest.raises(ValueError, match="2 gold labels but 1"):
        evaluate(["a", "b"], ["a"])
