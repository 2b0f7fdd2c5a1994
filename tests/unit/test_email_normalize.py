import io
import json

import pytest

from connectors import registry
from connectors.email.connector import EmailConnector
from connectors.normalize import normalize_file
from tests.unit.email_helpers import FIXTURES


def test_registered_as_email() -> None:
    assert isinstance(registry.get("email"), EmailConnector)


def test_normalize_prints_message_and_deadletter_lines() -> None:
    out = io.StringIO()
    normalize_file("email", FIXTURES / "html_only.eml", out)
    normalize_file("email", FIXTURES / "not_mail.bin", out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    message = first["message"]
    assert message["channel"] == "email"
    assert message["customer"]["order_numbers"] == ["RT-20240313"]
    assert message["thread"]["normalized_subject"] == "Return request"
    assert second["deadletter"]["reason_code"] == "not_mime"


def test_config_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMNIROUTE_EMAIL_TENANT", "shop-eu")
    monkeypatch.setenv("OMNIROUTE_EMAIL_IMAP_PASSWORD", "s3cret")
    email = registry.get("email")
    assert isinstance(email, EmailConnector)
    assert email.config.tenant == "shop-eu"
    assert "s3cret" not in repr(email.config)
