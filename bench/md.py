"""Markdown helpers for the benchmark report."""

from typing import Any


def f(value: Any, digits: int = 1) -> str:
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return "n/a" if value is None else str(value)


def table(head: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + [
        "| " + " | ".join(f(c) if not isinstance(c, str) else c for c in r) + " |" for r in rows
    ]
