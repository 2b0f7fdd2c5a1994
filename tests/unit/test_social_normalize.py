"""`omniroute normalize --channel meta|x`: JSON lines for messages, ignored events and
deadletters; exit 0 whatever the payload holds (signatures are not checked: a preview)."""

import json
from typing import Any

import pytest

from omniroute.cli import main
from tests.unit.social_helpers import FIXTURES


def run(capsys: pytest.CaptureFixture[str], channel: str, *names: str) -> list[dict[str, Any]]:
    code = main(["normalize", "--channel", channel, *(str(FIXTURES / n) for n in names)])
    assert code == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_meta_messages_ignored_and_deadletter(capsys: pytest.CaptureFixture[str]) -> None:
    names = ("whatsapp_batch.json", "messenger_not_requests.json", "malformed.json")
    lines = run(capsys, "meta", *names)
    messages = [line["message"] for line in lines if "message" in line]
    assert [m["channel_message_id"] for m in messages] == [
        "whatsapp:wamid.BATCH0001",
        "whatsapp:wamid.BATCH0002",
    ]
    assert all(m["channel"] == "social" and m["id"] for m in messages)
    assert sum(1 for line in lines if "ignored" in line) == 6
    (dead,) = [line for line in lines if "deadletter" in line]
    assert dead["file"].endswith("malformed.json")


def test_x_every_fixture_prints_something(capsys: pytest.CaptureFixture[str]) -> None:
    names = sorted(p.name for p in FIXTURES.glob("x_*.json"))
    lines = run(capsys, "x", *names)
    assert {str(line["file"]).rsplit("/", 1)[-1] for line in lines} == set(names)
