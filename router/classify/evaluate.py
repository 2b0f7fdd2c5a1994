"""Classification metrics computed here (no scikit-learn): accuracy, per-class P/R/F1,
macro-F1 and the confusion matrix, plus a plain-text table for terminals.

Macro-F1 is averaged over the classes that occur in the gold labels. A class the model predicts
but the labelled set never contains (technical_support on Bitext, which has no such intent)
has an F1 of 0 by definition; its false positives still count, as lost recall of the gold
classes they were taken from and as lost accuracy. `macro_f1_all` is the scikit-learn
convention (gold and predicted classes), reported alongside so the difference stays visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ClassScores:
    label: str
    precision: float
    recall: float
    f1: float
    support: int  # gold rows of this class


@dataclass(frozen=True, slots=True)
class Report:
    labels: tuple[str, ...]  # gold classes first (sorted), then predicted-only classes
    confusion: tuple[tuple[int, ...], ...]  # [gold][predicted], in `labels` order
    per_class: tuple[ClassScores, ...]
    accuracy: float
    macro_f1: float  # over gold classes
    macro_f1_all: float  # over gold and predicted classes
    n: int

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "macro_f1_all": self.macro_f1_all,
            "labels": list(self.labels),
            "confusion": [list(row) for row in self.confusion],
            "per_class": {
                c.label: {
                    "precision": c.precision,
                    "recall": c.recall,
                    "f1": c.f1,
                    "support": c.support,
                }
                for c in self.per_class
            },
        }


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def evaluate(gold: Sequence[str], predicted: Sequence[str]) -> Report:
    """Compare two equally long label sequences."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predictions")
    gold_labels = sorted(set(gold))
    labels = (*gold_labels, *sorted(set(predicted) - set(gold)))
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted, strict=True):
        matrix[index[g]][index[p]] += 1
    per_class = []
    for i, label in enumerate(labels):
        tp = matrix[i][i]
        support = sum(matrix[i])
        precision = _ratio(tp, sum(row[i] for row in matrix))
        recall = _ratio(tp, support)
        f1 = _ratio(2 * tp, support + sum(row[i] for row in matrix))
        per_class.append(ClassScores(label, precision, recall, f1, support))
    correct = sum(matrix[i][i] for i in range(len(labels)))
    gold_f1 = [c.f1 for c in per_class if c.support]
    return Report(
        labels=labels,
        confusion=tuple(tuple(row) for row in matrix),
        per_class=tuple(per_class),
        accuracy=_ratio(correct, len(gold)),
        macro_f1=sum(gold_f1) / len(gold_f1) if gold_f1 else 0.0,
        macro_f1_all=sum(c.f1 for c in per_class) / len(per_class) if per_class else 0.0,
        n=len(gold),
    )


def format_report(report: Report) -> str:
    """Summary, per-class table and confusion matrix (rows gold, columns predicted)."""
    lines = [
        f"messages {report.n}  accuracy {report.accuracy:.4f}  macro-F1 {report.macro_f1:.4f}"
        f"  (incl. predicted-only classes {report.macro_f1_all:.4f})",
        "",
        f"{'class':<18} {'precision':>9} {'recall':>7} {'f1':>7} {'support':>8}",
    ]
    for c in report.per_class:
        lines.append(
            f"{c.label:<18} {c.precision:>9.4f} {c.recall:>7.4f} {c.f1:>7.4f} {c.support:>8}"
        )
    short = [label[:8] for label in report.labels]
    width = max(6, *(len(s) for s in short), *(len(str(v)) for r in report.confusion for v in r))
    lines += ["", "confusion (rows: gold, columns: predicted)"]
    lines.append(" " * 18 + " ".join(f"{s:>{width}}" for s in short))
    for label, row in zip(report.labels, report.confusion, strict=True):
        lines.append(f"{label:<18}" + " ".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
