"""Messenger and Instagram bodies through the Meta connector's parser."""

from connectors.base import ParseResult, safe_parse
from connectors.social.config import MetaConfig
from connectors.social.meta import MetaConnector
from tests.unit.social_helpers import fixture

META = MetaConnector(MetaConfig(tenant="shop-eu", brand="Example Store"))


def parse(name: str) -> ParseResult:
    return safe_parse(META, fixture(name))


def test_messenger_text_with_quick_reply_and_reply_to() -> None:
    (draft,) = parse("messenger_text.json").drafts
    assert draft.channel_message_id == "messenger:m_AbCdEf0123456789"
    assert draft.customer.platform == "messenger" and draft.customer.handle == "7000000000000001"
    assert draft.thread.conversation_id == "messenger:106000000000001:7000000000000001"
    assert draft.tenant == "shop-eu" and draft.brand == "Example Store"
    assert draft.metadata["quick_reply_payload"] == "BILLING"
    assert draft.metadata["reply_to"] == "m_PageOutbound01"


def test_messenger_attachments_metadata() -> None:
    (draft,) = parse("messenger_attachments.json").drafts
    image, file, fallback = draft.attachments
    assert image.content_type == "image/jpeg" and image.size_bytes == 0
    assert file.content_type == "application/octet-stream"
    assert fallback.reference == "https://shop.example.com/p/42"


def test_messenger_reaction_and_unreaction() -> None:
    result = parse("messenger_reactions.json")
    (reaction,) = result.drafts
    assert reaction.metadata["event"] == "reaction"
    assert reaction.channel_message_id.startswith("messenger:reaction:m_PageOutbound01:")
    assert result.ignored == ["messenger unreaction: reaction removed"]


def test_postbacks_and_referrals() -> None:
    with_mid, without_mid, referral = parse("messenger_postback_referral.json").drafts
    assert with_mid.channel_message_id == "messenger:postback:m_Postback0001"
    assert with_mid.text == "Talk to support"
    assert with_mid.metadata["referral_ref"] == "summer-campaign"
    assert without_mid.channel_message_id == "messenger:postback:7000000000000001:1751367335000"
    assert referral.metadata["event"] == "referral"
    assert referral.metadata["referral_ref"] == "order-55120"


def test_delivery_read_echo_and_page_messages_are_ignored() -> None:
    result = parse("messenger_not_requests.json")
    assert result.drafts == []
    assert result.ignored == [
        "messenger delivery: delivery",
        "messenger read: read",
        "messenger echo: message sent by the page/account itself",
        "messenger echo: message sent by the page/account itself",
        "messenger activity: optin",
    ]


def test_edit_and_standby() -> None:
    result = parse("messenger_edit_standby.json")
    (edit,) = result.drafts
    assert edit.channel_message_id == "messenger:m_AbCdEf0123456789:edit:1"
    assert result.ignored == ["messenger standby: thread owned by another app"]


def test_instagram_direct_messages() -> None:
    result = parse("instagram_dm.json")
    text, story, reaction = result.drafts
    assert text.customer.platform == "instagram"
    assert text.text == "我的订单还没发货，什么时候能到？"
    assert text.thread.conversation_id == "instagram:17841400000000001:1234567890123456"
    assert story.attachments[0].reference is not None
    assert reaction.metadata["event"] == "reaction"
    assert result.ignored == [
        "instagram echo: message sent by the page/account itself",
        "instagram deleted: customer deleted a message",
        "instagram read: read",
    ]


def test_instagram_comments_threads_and_own_comments() -> None:
    result = parse("instagram_comments.json")
    top, reply, live = result.drafts
    assert top.channel_message_id == "instagram:comment:17900000000000001"
    assert top.metadata["username"] == "lena.shops"
    assert reply.thread.conversation_id == top.thread.conversation_id
    assert live.metadata["event"] == "live_comment"
    assert result.ignored == [
        "instagram own: comment by the account itself",
        "instagram unsupported: field mentions",
    ]


def test_unknown_object_and_malformed_body() -> None:
    assert parse("meta_unknown_object.json").ignored == ["meta unsupported: object permissions"]
    bad = parse("malformed.json")
    assert bad.drafts == [] and bad.deadletter is not None
    assert bad.deadletter.reason_code == "invalid_input"
    assert safe_parse(META, b'{"object": "page"}').deadletter is not None
    assert safe_parse(META, b"[]").deadletter is not None


def test_configured_own_ids_are_echoes() -> None:
    meta = MetaConnector(MetaConfig(own_ids=("7000000000000001",)))
    result = safe_parse(meta, fixture("messenger_text.json"))
    assert result.drafts == [] and result.ignored[0].startswith("messenger echo")
