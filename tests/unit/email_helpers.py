"""Shared helpers for the email unit tests: the fixture folder and a parse shortcut."""

from pathlib import Path

from connectors.base import ParseResult
from connectors.email.config import EmailConfig
from connectors.email.connector import EmailConnector
from intake.message import MessageDraft

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "email"


def connector(**overrides: object) -> EmailConnector:
    return EmailConnector(EmailConfig.model_validate(overrides))


def parse_bytes(raw: bytes, **overrides: object) -> ParseResult:
    return connector(**overrides).parse(raw)


def parse_fixture(name: str, **overrides: object) -> MessageDraft:
    result = parse_bytes((FIXTURES / name).read_bytes(), **overrides)
    assert result.deadletter is None, result.deadletter
    assert len(result.drafts) == 1
    return result.drafts[0]
