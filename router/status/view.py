"""The `/status.json` document, built from the tracker's summary. Case ids appear here (an SRE
needs to find the case) but never in metric labels."""

from datetime import datetime
from typing import Any

from router.sla.summary import TrackedCases, summarize


def status_document(tracker: TrackedCases, now: datetime, refresh_s: int) -> dict[str, Any]:
    summary = summarize(tracker, now)
    departments = [
        {
            "department": s.department,
            "open_cases": s.open_cases,
            "awaiting_response": s.awaiting_response,
            "oldest_waiting_seconds": round(s.oldest_waiting_seconds, 1),
            "at_risk": s.at_risk,
            "breached_open": s.breached_open,
            "met_in_window": s.met_in_window,
            "breached_in_window": s.breached_in_window,
            "attainment": None if s.attainment is None else round(s.attainment, 4),
        }
        for s in summary.departments.values()
    ]
    cases = [
        {
            "case_id": c.case_id,
            "department": c.department,
            "channel": c.channel,
            "priority": c.priority,
            "state": "breached" if c.breached else "at_risk",
            "waiting_seconds": round(c.waiting_seconds, 1),
            "due_in_seconds": None if c.due_in_seconds is None else round(c.due_in_seconds, 1),
        }
        for c in summary.at_risk
    ]
    return {
        "generated_at": now.isoformat(),
        "refresh_seconds": refresh_s,
        "window_seconds": tracker.config.status_window_seconds,
        "departments": departments,
        "at_risk_cases": cases,
    }
