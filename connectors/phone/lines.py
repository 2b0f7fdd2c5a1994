"""Results of line-oriented payloads: a file of CDR lines is many independent records, so one
bad line must cost one deadletter record while its neighbours still become messages."""

from collections.abc import Sequence
from dataclasses import dataclass

from connectors.base import ParseResult
from intake.deadletter import DeadLetter


@dataclass(frozen=True, slots=True)
class LinesResult(ParseResult):
    """A ParseResult with every bad line's deadletter; `deadletter` is the first of them, for
    callers that only know the single-record shape."""

    deadletters: tuple[DeadLetter, ...] = ()


def combine(results: Sequence[ParseResult]) -> LinesResult:
    dead = tuple(r.deadletter for r in results if r.deadletter is not None)
    return LinesResult(
        drafts=[d for r in results for d in r.drafts],
        ignored=[reason for r in results for reason in r.ignored],
        deadletter=dead[0] if dead else None,
        deadletters=dead,
    )
