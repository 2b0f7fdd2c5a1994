from datetime import UTC, datetime, timedelta

import pytest

from intake.complete import Completer
from intake.errors import ConfigError
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft, MessageKind
from intake.topics import Topics
from router.classifier import Classifier, Layer
from router.config import load_default_config
from router.config.loader import parse_config
from router.config.model import Priority
from router.pipeline import Pipeline, Source

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CONFIG = load_default_config()


def msg(text: str, channel: str = "email", **kw: object) -> Message:
    d = MessageDraft.model_validate(
        {"channel": channel, "channel_message_id": text[:40], "text": text} | kw
    )
    return Completer(IdentityKeyer(b"k" * 16)).complete(d, "test", NOW)


@pytest.mark.parametrize(
    ("text", "department"),
    [
        ("I want a refund for the broken kettle", "returns"),
        ("Where is my package? Tracking shows nothing", "logistics"),
        ("I was charged twice on my credit card", "billing"),
        ("Please cancel my order before it ships", "orders"),
        ("I forgot my password", "customer_service"),
        ("The app shows an error and does not work", "technical_support"),
        ("我要退款，商品有质量问题", "returns"),
        ("快递一直没有送到", "logistics"),
        ("发票还没有收到", "billing"),
        ("我要投诉你们的客服", "complaints"),
        ("hello there", "triage"),
    ],
)
def test_default_rules_route_english_and_chinese(text: str, department: str) -> None:
    assert Classifier(CONFIG).classify(msg(text)).department == department


def test_keywords_respect_latin_word_boundaries_but_not_cjk() -> None:
    c = Classifier(CONFIG)
    assert c.classify(msg("unreturnable items policy")).department == "triage"
    assert "urgent_regulator" in [h.rule_id for h in c.classify(msg("我就打12315")).hits]


def test_full_width_input_is_normalised() -> None:
    assert Classifier(CONFIG).classify(msg("ＲＥＦＵＮＤ please")).department == "returns"


def test_urgent_keywords_raise_priority_and_shorten_sla() -> None:
    p = Pipeline(Classifier(CONFIG), Topics(), clock=lambda: NOW)
    normal = p.decide(msg("refund please"))
    urgent = p.decide(msg("refund or my lawyer will sue"))
    assert normal.priority == Priority.NORMAL and urgent.priority == Priority.URGENT
    assert urgent.sla_due_at < normal.sla_due_at


@pytest.mark.parametrize(
    ("channel", "seconds"),
    [
        ("webchat", 30),
        ("phone", 15),
        ("social", 3600),
        ("email", 86400),
    ],
)
def test_sla_targets_per_channel(channel: str, seconds: int) -> None:
    d = Pipeline(Classifier(CONFIG), Topics(), clock=lambda: NOW).decide(msg("hi", channel))
    assert d.sla_due_at == NOW + timedelta(seconds=seconds)
    assert d.config_version == CONFIG.version


def test_sender_clock_cannot_extend_the_deadline() -> None:
    future = NOW + timedelta(hours=5)
    d = Pipeline(Classifier(CONFIG), Topics()).decide(msg("hi", occurred_at=future.isoformat()))
    assert d.sla_due_at == NOW + timedelta(days=1)


def test_pipeline_dispatches_with_decision_and_records_it() -> None:
    t = Topics("p")
    result = Pipeline(Classifier(CONFIG), t).process(msg("refund please"))
    assert [o.topic for o in result.outputs] == ["p.dept.returns", "p.decisions"]
    assert result.decision is not None and result.decision.layer == Layer.RULES
    headers = dict(result.outputs[0].headers)
    assert headers["ce_type"] == b"io.omniroute.dispatch.v1"
    assert headers["ce_id"] == result.decision.message_id.encode()


def test_auto_replies_are_recorded_not_routed() -> None:
    result = Pipeline(Classifier(CONFIG), Topics("p")).process(
        msg("I am out of office", kind=MessageKind.AUTO_REPLY)
    )
    assert [o.topic for o in result.outputs] == ["p.decisions"]


@pytest.mark.parametrize("raw", [b"", b"\xff\xfe", b"{}", b'{"channel": "email"}', b"[1,2]"])
def test_unreadable_records_become_deadletters(raw: bytes) -> None:
    result = Pipeline(Classifier(CONFIG), Topics("p")).process_raw(
        raw, Source("p.intake.api", 0, 7)
    )
    assert [o.topic for o in result.outputs] == ["p.deadletter"]
    assert result.deadletter is not None
    assert result.deadletter.raw == raw and result.deadletter.source_offset == 7


def test_config_errors_name_the_problem() -> None:
    with pytest.raises(ConfigError, match="unknown department 'nowhere'"):
        parse_config("departments: [a]\nrules: [{id: r, department: nowhere, keywords: [x]}]")
    with pytest.raises(ConfigError, match="invalid YAML"):
        parse_config("departments: [a\n")
    with pytest.raises(ConfigError, match="duplicate rule ids"):
        parse_config(
            "departments: [a]\nrules: [{id: r, department: a, keywords: [x]},"
            " {id: r, department: a, keywords: [y]}]"
        )


def test_config_version_is_a_content_hash() -> None:
    a = parse_config("departments: [a]\n")
    b = parse_config("departments: [a]  # changed\n")
    assert a.version != b.version and len(a.version) == 12
