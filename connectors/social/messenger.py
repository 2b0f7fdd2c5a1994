"""Messenger (`object: page`) and Instagram Direct (`object: instagram`) messaging events.

Both platforms deliver `entry[].messaging[]` events of one shape: `message` (text, attachments,
quick replies, replies), `reaction`, `postback`, `referral`, `message_edit`, and the
non-requests `delivery`, `read`, echoes (`is_echo`, or a sender that is the page itself) and
`standby` (handover protocol: another app owns the thread, so it is not ours to answer).
"""

from typing import Any

from connectors.social.events import (
    Batch,
    IgnoreKind,
    Json,
    Platform,
    Scope,
    arr,
    attachment,
    clip,
    epoch,
    media_type,
    obj,
    required,
    string,
)
from intake.message import Attachment, Channel, Customer, MessageDraft, MetadataValue, Thread

_NOT_REQUESTS = {
    "delivery": IgnoreKind.DELIVERY,
    "read": IgnoreKind.READ,
    "optin": IgnoreKind.ACTIVITY,
    "account_linking": IgnoreKind.ACTIVITY,
    "pass_thread_control": IgnoreKind.STANDBY,
    "take_thread_control": IgnoreKind.STANDBY,
}


def parse_messaging(batch: Batch, platform: Platform, entry: Json, scope: Scope) -> None:
    page_id = required(entry.get("id"), "entry id")
    ours = scope.own_ids | {page_id}
    for index, event in enumerate(arr(entry.get("messaging"))):
        with batch.event(f"{platform.value} messaging {index}"):
            _event(batch, platform, obj(event), page_id=page_id, ours=ours, scope=scope)
    for event in arr(entry.get("standby")):
        batch.seen(epoch(obj(event).get("timestamp")))
        batch.ignore(platform, IgnoreKind.STANDBY, "thread owned by another app")


def _event(
    batch: Batch,
    platform: Platform,
    event: Json,
    *,
    page_id: str,
    ours: frozenset[str],
    scope: Scope,
) -> None:
    batch.seen(epoch(event.get("timestamp")))
    sender_obj = obj(event.get("sender"))
    sender = string(sender_obj.get("id")) or required(sender_obj.get("user_ref"), "sender")
    message = obj(event.get("message"))
    if message.get("is_echo") is True or sender in ours:
        batch.ignore(platform, IgnoreKind.ECHO, "message sent by the page/account itself")
        return
    if message.get("is_deleted") is True:
        batch.ignore(platform, IgnoreKind.DELETED, "customer deleted a message")
        return
    for key, kind in _NOT_REQUESTS.items():
        if key in event:
            batch.ignore(platform, kind, key)
            return
    draft = _build(platform, event, sender, page_id, scope)
    if isinstance(draft, MessageDraft):
        batch.drafts.append(draft)
    else:
        batch.ignore(platform, *draft)


def _build(
    platform: Platform, event: Json, sender: str, page_id: str, scope: Scope
) -> MessageDraft | tuple[IgnoreKind, str]:
    stamp = str(event.get("timestamp"))
    p = platform.value
    meta: dict[str, MetadataValue] = {"platform": p}
    files: list[Attachment] = []
    if "message" in event:
        message = obj(event["message"])
        mid = required(message.get("mid"), "message.mid")
        text = string(message.get("text")) or ""
        files = [_attachment(obj(a)) for a in arr(message.get("attachments"))]
        meta |= {
            "quick_reply_payload": string(obj(message.get("quick_reply")).get("payload")),
            "reply_to": string(obj(message.get("reply_to")).get("mid")),
            "unsupported": True if message.get("is_unsupported") is True else None,
        }
        ref = obj(message.get("referral"))
        meta |= _referral(ref) if ref else {}
        cmid = f"{p}:{mid}"
    elif "reaction" in event:
        reaction = obj(event["reaction"])
        if reaction.get("action") == "unreact":
            return IgnoreKind.UNREACTION, "reaction removed"
        target = required(reaction.get("mid"), "reaction.mid")
        text = string(reaction.get("emoji")) or string(reaction.get("reaction")) or ""
        meta |= {"event": "reaction", "reacted_to": target}
        # A reaction has no id of its own; sender + target + time is what a redelivery repeats.
        cmid = f"{p}:reaction:{target}:{sender}:{stamp}"
    elif "postback" in event:
        postback = obj(event["postback"])
        text = string(postback.get("title")) or ""
        meta |= {"event": "postback", "postback_payload": string(postback.get("payload"))}
        meta |= _referral(obj(postback.get("referral")))
        post_mid = string(postback.get("mid"))
        cmid = f"{p}:postback:{post_mid}" if post_mid else f"{p}:postback:{sender}:{stamp}"
    elif "referral" in event:
        text = ""
        meta |= {"event": "referral"} | _referral(obj(event["referral"]))
        cmid = f"{p}:referral:{sender}:{stamp}"
    elif "message_edit" in event:
        edit = obj(event["message_edit"])
        mid = required(edit.get("mid"), "message_edit.mid")
        text = string(edit.get("text")) or ""
        meta |= {"event": "edit", "edit_of": mid}
        cmid = f"{p}:{mid}:edit:{edit.get('num_edit', 0)}"
    else:
        known = ",".join(sorted(k for k in event if k not in ("sender", "recipient", "timestamp")))
        return IgnoreKind.UNSUPPORTED, f"event {known or 'empty'}"
    return MessageDraft(
        channel=Channel.SOCIAL,
        channel_message_id=cmid,
        tenant=scope.tenant,
        brand=scope.brand,
        occurred_at=epoch(event.get("timestamp")),
        customer=Customer(platform=p, handle=sender),
        thread=Thread(conversation_id=f"{p}:{page_id}:{sender}"),
        text=clip(text),
        attachments=tuple(files),
        metadata={k: v for k, v in meta.items() if v is not None},
    )


def _attachment(item: Json) -> Attachment:
    kind = string(item.get("type")) or "file"
    payload = obj(item.get("payload"))
    url = string(payload.get("url"))
    reference = url or string(payload.get("sticker_id")) or string(payload.get("reel_video_id"))
    return attachment(media_type(kind, url), reference, string(item.get("title")))


def _referral(ref: dict[str, Any]) -> dict[str, MetadataValue]:
    return {
        "referral_ref": string(ref.get("ref")),
        "referral_source": string(ref.get("source")),
        "referral_type": string(ref.get("type")),
        "referral_ad_id": string(ref.get("ad_id")),
    }
