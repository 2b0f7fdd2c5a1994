"""Optional: every real WhatsApp Cloud API body in ../shared/data (MIT, pywa's test data) goes
through the parser without a crash and yields a message or a counted reason. Read in place,
never copied; skipped when the folder is absent (a fresh clone)."""

import json
from pathlib import Path

import pytest

from connectors.base import safe_parse
from connectors.social.config import MetaConfig
from connectors.social.meta import MetaConnector

DATA = Path(__file__).parents[3] / "shared" / "data" / "webhooks" / "pywa_whatsapp_cloud"


def bodies() -> list[tuple[str, bytes]]:
    if not DATA.is_dir():
        return []
    found = []
    for path in sorted(DATA.glob("*.json")):
        for key, body in json.loads(path.read_text(encoding="utf-8")).items():
            found.append((f"{path.stem}/{key}", json.dumps(body).encode()))
    return found


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data not present")
def test_real_whatsapp_bodies_are_all_understood() -> None:
    meta = MetaConnector(MetaConfig())
    seen = 0
    for name, raw in bodies():
        result = safe_parse(meta, raw)
        assert result.deadletter is None, (name, result.deadletter.reason)
        assert result.drafts or result.ignored, name
        for draft in result.drafts:
            assert draft.channel_message_id.startswith("whatsapp:"), name
        seen += 1
    assert seen > 50
