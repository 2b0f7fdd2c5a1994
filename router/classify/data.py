"""Labelled examples from CSV or JSONL files.

A row needs a text (`text`, or Bitext's `utterance`) and a label: `department`, or a Bitext
`intent`/`category` that the taxonomy maps to one. Rows that cannot be labelled are counted,
not fatal, so that a partly foreign file still trains and the count shows what was dropped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intake.errors import InvalidInput
from intake.serde import loads_obj

from .taxonomy import TRIAGE, canonical_intent, department_for

_TEXT_FIELDS = ("text", "utterance", "message", "body")


class LabelledDataError(InvalidInput):
    """A labelled data file that cannot be read at all (missing, wrong format, no text field)."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    department: str
    intent: str | None
    source: str  # file name: weighting balances sources within a department


@dataclass(frozen=True, slots=True)
class Labelled:
    examples: tuple[Example, ...]
    skipped: int  # rows without text or without a mappable label


def _rows(path: Path) -> Iterator[Mapping[str, Any]]:
    if path.suffix.lower() == ".csv":
        # utf-8-sig: the Bitext files start with a byte-order mark; newline="" keeps bare CRs
        # inside quoted fields (real tweets have them) part of the field.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            yield from csv.DictReader(handle)
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if line.strip():
                    row = loads_obj(line)
                    if not isinstance(row, dict):
                        raise LabelledDataError(f"{path}:{number}: expected a JSON object")
                    yield row
    else:
        raise LabelledDataError(f"{path}: expected a .csv or .jsonl file")


def _field(row: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def read_labelled(path: Path) -> Labelled:
    """Read one labelled file; raises `LabelledDataError` if it cannot be read as such."""
    if not path.is_file():
        raise LabelledDataError(f"{path}: no such file")
    examples: list[Example] = []
    skipped = 0
    for row in _rows(path):
        text = _field(row, *_TEXT_FIELDS)
        intent = canonical_intent(_field(row, "intent"))
        department = _field(row, "department")
        if department and department.lower() == TRIAGE:
            department = TRIAGE  # "no department evidence": see train.py
        elif department:
            department = department_for(department)
        department = department or department_for(intent, _field(row, "category"))
        if text is None or department is None:
            skipped += 1
            continue
        examples.append(Example(text, department, intent, path.name))
    if not examples and skipped:
        raise LabelledDataError(f"{path}: no row has both a text and a known label")
    return Labelled(tuple(examples), skipped)
