"""Optional: every third-party sample in ../shared/data/email through the parser.

The samples are never copied into the repository (licences); without them this test skips.
Run with `-s` to see the counts.
"""

from collections import Counter
from pathlib import Path

import pytest

from intake.message import MessageKind
from tests.unit.email_helpers import connector

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "email"


def _samples() -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted(
        p for p in SHARED.rglob("*") if p.is_file() and not p.name.upper().startswith("LICENSE")
    )


def test_every_shared_sample_gives_drafts_or_a_deadletter() -> None:
    samples = _samples()
    if not samples:
        pytest.skip(f"no shared email samples at {SHARED}")
    email = connector()
    counts: Counter[str] = Counter()
    for path in samples:
        result = email.parse(path.read_bytes(), {"filename": path.name})
        assert bool(result.drafts) != (result.deadletter is not None), path
        if result.deadletter is not None:
            counts["deadletters"] += 1
            continue
        for draft in result.drafts:
            counts["messages"] += 1
            if draft.kind is MessageKind.AUTO_REPLY:
                counts["auto_replies"] += 1
            elif draft.kind is MessageKind.BOUNCE:
                counts["bounces"] += 1
    print(
        f"\nshared email samples: {len(samples)} files -> {counts['messages']} messages "
        f"({counts['auto_replies']} auto-replies, {counts['bounces']} bounces), "
        f"{counts['deadletters']} deadletters"
    )
    assert counts["messages"] + counts["deadletters"] == len(samples)
