"""WhatsApp Cloud API bodies through the Meta connector's parser."""

from connectors.base import ParseResult, safe_parse
from connectors.social.config import MetaConfig
from connectors.social.meta import MetaConnector
from intake.complete import Completer
from intake.identity import IdentityKeyer
from intake.message import Channel
from tests.unit.social_helpers import fixture

META = MetaConnector(MetaConfig())


def parse(name: str) -> ParseResult:
    return safe_parse(META, fixture(name))


def test_text_message() -> None:
    result = parse("whatsapp_text.json")
    assert result.ignored == [] and result.deadletter is None
    (draft,) = result.drafts
    assert draft.channel is Channel.SOCIAL
    assert draft.channel_message_id.startswith("whatsapp:wamid.")
    assert draft.customer.platform == "whatsapp"
    assert draft.customer.phone == "+4915112345678"
    assert draft.customer.handle == "4915112345678"
    assert draft.customer.name == "Anna Becker"
    assert draft.thread.conversation_id == "whatsapp:730011223344:4915112345678"
    assert "Bestellung 10042" in draft.text
    assert draft.occurred_at is not None and draft.occurred_at.year == 2025


def test_media_is_metadata_only() -> None:
    image, document, voice, sticker = parse("whatsapp_media.json").drafts
    (att,) = image.attachments
    assert att.content_type == "image/jpeg" and att.size_bytes == 0
    assert att.reference is not None and att.reference.startswith("https://lookaside.")
    assert att.sha256 is not None and len(att.sha256) == 64  # base64 digest turned into hex
    assert image.text == "So kam das Paket an"
    (doc,) = document.attachments
    assert doc.filename == "rechnung-10042.pdf" and doc.reference == "880011223355"
    assert doc.sha256 is None  # not a valid digest: dropped, not guessed
    assert voice.attachments[0].content_type.startswith("audio/ogg")
    assert voice.metadata["voice"] is True
    assert sticker.attachments[0].content_type == "image/webp"


def test_reactions_and_removed_reactions() -> None:
    result = parse("whatsapp_reactions.json")
    (reaction,) = result.drafts
    assert reaction.text == "\U0001f44d"
    assert reaction.metadata["reacted_to"] == "wamid.OUTBOUND0001"
    assert result.ignored == ["whatsapp unreaction: reaction removed"] * 2


def test_statuses_are_ignored_not_routed() -> None:
    result = parse("whatsapp_statuses.json")
    assert result.drafts == []
    assert result.ignored == [
        "whatsapp status: sent",
        "whatsapp status: delivered",
        "whatsapp status: read",
        "whatsapp status: failed",
    ]


def test_echoes_system_deletes_templates_and_calls_are_not_requests() -> None:
    result = parse("whatsapp_not_requests.json")
    assert result.drafts == []
    kinds = [r.split(":")[0] for r in result.ignored]
    assert kinds == [
        "whatsapp echo",
        "whatsapp echo",
        "whatsapp system",
        "whatsapp deleted",
        "whatsapp system",
        "whatsapp call",
    ]


def test_interactive_replies_location_contacts_order() -> None:
    button, listed, quick, flow = parse("whatsapp_interactive.json").drafts
    assert button.text == "Rücksendung starten" and button.metadata["reply_id"] == "return_start"
    assert listed.text == "Beschädigt - Ware kam kaputt an"
    assert quick.text == "Sendung verfolgen" and quick.metadata["button_payload"] == "TRACK_ORDER"
    assert flow.metadata["wa_type"] == "flow_reply" and "Zu langsam" in str(flow.metadata)
    assert button.metadata["reply_to"] == "wamid.OUTBOUND0003"
    location, contact, order = parse("whatsapp_location_contacts_order.json").drafts
    assert "Packstation 123" in location.text and location.metadata["latitude"] == 52.520008
    assert "Jonas Becker +49 151 98765432" in contact.text
    assert "2 x SKU-RED-42" in order.text and "Bitte schnell liefern" in order.text


def test_referral_edit_and_unsupported() -> None:
    (ad,) = parse("whatsapp_referral.json").drafts
    assert ad.metadata["referral_headline"] == "Sommerschuhe -20%"
    edit, unsupported = parse("whatsapp_edit_unsupported.json").drafts
    assert edit.text.startswith("Korrektur") and str(edit.metadata["edit_of"]).startswith("wamid.")
    assert unsupported.metadata["wa_type"] == "unsupported" and unsupported.text == ""


def test_batched_entries_and_changes() -> None:
    result = parse("whatsapp_batch.json")
    assert [d.channel_message_id for d in result.drafts] == [
        "whatsapp:wamid.BATCH0001",
        "whatsapp:wamid.BATCH0002",
    ]
    assert result.drafts[1].customer.name == "Tom Jones"
    assert result.ignored == ["whatsapp status: delivered"]


def test_one_bad_event_deadletters_and_its_neighbour_is_still_routed() -> None:
    result = parse("whatsapp_one_bad_event.json")
    assert [d.channel_message_id for d in result.drafts] == ["whatsapp:wamid.GOOD0001"]
    assert result.deadletter is not None
    assert result.deadletter.reason_code == "bad_event"
    assert result.deadletter.raw == fixture("whatsapp_one_bad_event.json")


def test_redelivery_maps_to_the_same_message_id() -> None:
    completer = Completer(IdentityKeyer(b"unit-test-identity-secret"))
    first = [completer.complete(d, "meta") for d in parse("whatsapp_batch.json").drafts]
    again = [completer.complete(d, "meta") for d in parse("whatsapp_batch.json").drafts]
    assert [m.id for m in first] == [m.id for m in again]
    assert [m.routing_key for m in first] == [m.routing_key for m in again]
    assert len({m.id for m in first}) == 2
