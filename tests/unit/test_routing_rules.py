"""Explicit rules: text in any language, channel metadata, senders, languages, tiers, kinds;
and the layers above them (model through the TextScorer seam, threshold, triage)."""

from datetime import UTC, datetime
from typing import Any

from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft
from router.classifier import Classifier, Layer, Scored
from router.config.loader import parse_config
from router.config.routing import RoutingConfig

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
BASE = """
departments: [orders, logistics, returns, vip_desk]
classifier: {threshold: 0.6, model: none}
rules:
  - {id: queue_orders, department: orders, channels: [phone], metadata: {queue: orders}, weight: 10}
  - {id: where, department: logistics, keywords: [parcel, 快递, "12315"], regex: ['track(ing)? no']}
  - {id: buyer, department: vip_desk, senders: ['*@bigbuyer.example', 'whatsapp:+86*'], weight: 5}
  - {id: zh_returns, department: returns, languages: [zh], keywords: [退]}
  - {id: vip_returns, department: vip_desk, tiers: [vip], keywords: [refund]}
  - {id: callback, priority: high, kinds: [callback_request]}
  - {id: flag, department: orders, metadata: {rush: true}}
"""


def msg(text: str, **kw: Any) -> Message:
    draft = MessageDraft.model_validate(
        {"channel": "email", "channel_message_id": text[:30] or "x", "text": text} | kw
    )
    return Completer(IdentityKeyer(b"k" * 16)).complete(draft, "test", NOW)


class Fixed:
    """A TextScorer stand-in with a fixed answer."""

    version = "fixed-1"

    def __init__(self, department: str, confidence: float) -> None:
        self.answer = Scored(
            department,
            "some_intent",
            confidence,
            ((department, confidence), ("orders", 1 - confidence)),
        )

    def score(self, text: str) -> Scored:
        return self.answer


class Tiers:
    def __init__(self, tier: str | None) -> None:
        self.tier, self.time_zone = tier, None

    def get(self, key: str) -> "Tiers":
        return self


def config(extra: str = "") -> RoutingConfig:
    return parse_config(BASE + extra)


def classify(message: Message, **kw: Any) -> Any:
    return Classifier(
        config(), detect_language=lambda t: "zh" if "退" in t else "en", **kw
    ).classify(message)


def test_phone_queue_hint_routes_by_metadata_only_on_its_channel() -> None:
    c = classify(msg("", channel="phone", metadata={"queue": "ORDERS"}))
    assert (c.department, c.layer) == ("orders", Layer.RULES)
    assert c.hits[0].matches == ("channel:phone", "metadata.queue=orders")
    assert classify(msg("", channel="email", metadata={"queue": "orders"})).department == "triage"


def test_boolean_metadata_matches_yaml_true() -> None:
    assert classify(msg("hi", metadata={"rush": True})).department == "orders"
    assert classify(msg("hi", metadata={"rush": False})).department == "triage"


def test_sender_patterns_match_without_copying_the_address() -> None:
    c = classify(msg("hello", customer={"email": "Buyer@BigBuyer.example"}))
    assert c.department == "vip_desk" and c.hits[0].matches == ("sender:*@bigbuyer.example",)
    c = classify(msg("hello", customer={"platform": "whatsapp", "handle": "+8613800000000"}))
    assert c.department == "vip_desk"


def test_language_condition_uses_the_detected_language() -> None:
    c = classify(msg("我想退"))
    assert (c.department, c.language) == ("returns", "zh")
    assert Classifier(config(), detect_language=lambda t: "ja").classify(msg("退")).hits == ()


def test_tier_condition_reads_the_customer_directory() -> None:
    assert classify(msg("refund"), customers=Tiers("vip")).department == "vip_desk"
    assert classify(msg("refund"), customers=Tiers(None)).department == "triage"


def test_kind_rule_raises_priority_without_a_department() -> None:
    c = classify(msg("", channel="phone", kind="callback_request"))
    assert c.department == "triage" and [h.rule_id for h in c.hits] == ["callback"]


def test_cjk_keywords_match_inside_words_latin_ones_on_word_boundaries() -> None:
    assert classify(msg("我的快递呢")).department == "logistics"
    assert classify(msg("我就打12315")).department == "logistics"
    assert classify(msg("parcels")).department == "triage"
    assert classify(msg("TRACKING NO 42")).hits[0].matches == ("tracking no",)


def test_model_decides_when_no_department_rule_matches() -> None:
    c = classify(msg("something vague"), scorer=Fixed("returns", 0.8))
    assert (c.department, c.layer, c.intent, c.model_version) == (
        "returns",
        Layer.MODEL,
        "some_intent",
        "fixed-1",
    )
    assert c.threshold == 0.6


def test_below_the_threshold_goes_to_triage_with_the_scores_recorded() -> None:
    c = classify(msg("something vague"), scorer=Fixed("returns", 0.55))
    assert (c.department, c.layer) == ("triage", Layer.FALLBACK)
    assert c.model_scores[0] == ("returns", 0.55)


def test_a_language_can_have_its_own_threshold() -> None:
    per_language = "threshold: 0.6, language_thresholds: {zh: 0.5}"
    zh = parse_config(BASE.replace("threshold: 0.6", per_language))
    c = Classifier(zh, Fixed("orders", 0.55), detect_language=lambda t: "zh").classify(msg("嗯"))
    assert (c.department, c.threshold) == ("orders", 0.5)
    c = Classifier(zh, Fixed("orders", 0.55), detect_language=lambda t: "en").classify(msg("hm"))
    assert (c.department, c.threshold) == ("triage", 0.6)


def test_rules_beat_the_model_and_borrow_its_intent_when_it_agrees() -> None:
    c = classify(msg("parcel"), scorer=Fixed("logistics", 0.9))
    assert (c.department, c.layer, c.intent) == ("logistics", Layer.RULES, "some_intent")
    c = classify(msg("parcel"), scorer=Fixed("returns", 0.9))
    assert (c.department, c.intent) == ("logistics", None)


def test_a_model_department_missing_from_the_config_is_not_used() -> None:
    c = classify(msg("vague"), scorer=Fixed("technical_support", 0.99))
    assert c.department == "triage"
