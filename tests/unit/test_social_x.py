"""X Account Activity bodies through the X connector's parser."""

from connectors.base import ParseResult, safe_parse
from connectors.social.config import XConfig
from connectors.social.x import XConnector
from tests.unit.social_helpers import fixture

BRAND = "900000000000000001"
X = XConnector(XConfig(for_user_id=BRAND))


def parse(name: str, connector: XConnector = X) -> ParseResult:
    return safe_parse(connector, fixture(name))


def test_direct_messages_to_the_brand_and_its_own_are_echoes() -> None:
    result = parse("x_direct_messages.json")
    link, media = result.drafts
    assert link.channel_message_id == "x:dm:1810000000000000001"
    assert link.customer.platform == "x" and link.customer.handle == "800000000000000002"
    assert link.customer.name == "Chris P" and link.metadata["screen_name"] == "chrisp"
    assert "https://shop.example.com/cart" in link.text and "t.co" not in link.text
    assert link.thread.conversation_id == f"x:dm:{BRAND}:800000000000000002"
    assert media.text == "screenshot"
    assert media.attachments[0].content_type == "image/png"
    assert result.ignored == ["x echo: direct message sent by the brand"]


def test_tweets_mentioning_answering_or_quoting_the_brand() -> None:
    result = parse("x_tweets.json")
    ids = [d.channel_message_id for d in result.drafts]
    assert ids == [
        "x:tweet:1810000000000001001",
        "x:tweet:1810000000000001002",
        "x:tweet:1810000000000001006",
        "x:tweet:1810000000000001007",
    ]
    reply = result.drafts[1]
    assert reply.thread.conversation_id == "x:tweet:1810000000000001500"
    assert result.drafts[2].metadata["quoted_brand"] is True
    assert "stopped working after two days" in result.drafts[3].text  # extended_tweet used
    assert result.ignored == [
        "x own: tweet by the brand",
        "x not_addressed: tweet does not mention the brand",
        "x activity: retweet",
    ]


def test_likes_follows_typing_reads_deletes_are_not_requests() -> None:
    result = parse("x_activity.json")
    assert result.drafts == []
    assert [r.split(":")[0] for r in result.ignored] == [
        "x activity",
        "x activity",
        "x typing",
        "x read",
        "x deleted",
    ]


def test_events_for_another_account_are_not_ours() -> None:
    result = parse("x_other_account.json")
    assert result.drafts == [] and result.ignored == ["x not_addressed: events for another account"]


def test_brand_taken_from_the_body_when_not_configured() -> None:
    result = parse("x_direct_messages.json", XConnector(XConfig()))
    assert len(result.drafts) == 2
    assert safe_parse(XConnector(XConfig()), b"{}").deadletter is not None  # no brand at all
    assert safe_parse(X, b"[1]").deadletter is not None
