"""WhatsApp Cloud API webhook bodies (`object: whatsapp_business_account`).

Customer messages arrive under `changes[].value.messages` of field `messages`; the same field
carries `statuses` (our outbound messages' sent/delivered/read/failed), which are not requests.
Echoes of what the business sent from another device arrive as field `smb_message_echoes`.
"""

from datetime import datetime

from connectors.social.events import (
    Batch,
    IgnoreKind,
    Json,
    Platform,
    Scope,
    arr,
    clip,
    epoch,
    obj,
    required,
    string,
)
from connectors.social.whatsapp_content import Content, content
from intake.message import Channel, Customer, MessageDraft, Thread

WA = Platform.WHATSAPP
_ECHO_FIELDS = ("smb_message_echoes", "message_echoes")
_OWN_KEYS = ("phone_number_id", "display_phone_number")


def parse_entry(batch: Batch, entry: Json, scope: Scope) -> None:
    for index, change in enumerate(arr(entry.get("changes"))):
        with batch.event(f"whatsapp change {index}"):
            _change(batch, obj(change), scope)


def _change(batch: Batch, change: Json, scope: Scope) -> None:
    name = string(change.get("field")) or "unknown"
    value = obj(change.get("value"))
    if name in _ECHO_FIELDS:
        for _ in arr(value.get("message_echoes")):
            batch.ignore(WA, IgnoreKind.ECHO, "message sent by the business")
        return
    if name == "calls":
        for call in arr(value.get("calls")) or arr(value.get("statuses")):
            batch.ignore(WA, IgnoreKind.CALL, f"call {obj(call).get('event') or 'status'}")
        return
    if name != "messages":
        batch.ignore(WA, IgnoreKind.SYSTEM, f"field {name}")
        return
    meta = obj(value.get("metadata"))
    ours = scope.own_ids | {s for s in (string(meta.get(k)) for k in _OWN_KEYS) if s}
    names = {
        string(c.get("wa_id")): string(obj(c.get("profile")).get("name"))
        for c in map(obj, arr(value.get("contacts")))
    }
    for status in map(obj, arr(value.get("statuses"))):
        batch.seen(epoch(status.get("timestamp")))
        batch.ignore(WA, IgnoreKind.STATUS, str(status.get("status") or "unknown"))
    for index, message in enumerate(arr(value.get("messages"))):
        with batch.event(f"whatsapp message {index}"):
            _message(batch, obj(message), meta=meta, ours=ours, names=names, scope=scope)


def _message(
    batch: Batch,
    message: Json,
    *,
    meta: Json,
    ours: frozenset[str],
    names: dict[str | None, str | None],
    scope: Scope,
) -> None:
    when = epoch(message.get("timestamp"))
    batch.seen(when)
    sender = string(message.get("from")) or required(message.get("from_user_id"), "from")
    if sender in ours:
        batch.ignore(WA, IgnoreKind.ECHO, "message from the business number")
        return
    found = content(message)
    if not isinstance(found, Content):
        batch.ignore(WA, found.kind, found.detail)
        return
    batch.drafts.append(
        _draft(
            message,
            meta=meta,
            sender=sender,
            name=names.get(sender),
            found=found,
            when=when,
            scope=scope,
        )
    )


def _draft(
    message: Json,
    *,
    meta: Json,
    sender: str,
    name: str | None,
    found: Content,
    when: datetime | None,
    scope: Scope,
) -> MessageDraft:
    wamid = required(message.get("id"), "message id")
    context = obj(message.get("context"))
    referral = obj(message.get("referral"))
    metadata = dict(found.metadata)
    metadata.update(
        platform="whatsapp",
        business_phone_number_id=string(meta.get("phone_number_id")),
        reply_to=string(context.get("id")),
        forwarded=bool(context.get("forwarded") or context.get("frequently_forwarded")),
        referral_source=string(referral.get("source_url")) or string(referral.get("source_id")),
        referral_headline=string(referral.get("headline")),
    )
    # wa_id is the customer's phone number without '+': the phone identity lets a WhatsApp
    # message and a phone call of the same customer share a routing key.
    phone = "+" + sender if sender.isdigit() else None
    return MessageDraft(
        channel=Channel.SOCIAL,
        channel_message_id=f"whatsapp:{wamid}",
        tenant=scope.tenant,
        brand=scope.brand,
        occurred_at=when,
        customer=Customer(platform="whatsapp", handle=sender, phone=phone, name=name),
        thread=Thread(conversation_id=f"whatsapp:{meta.get('phone_number_id')}:{sender}"),
        text=clip(found.text),
        attachments=tuple(found.attachments),
        metadata={k: v for k, v in metadata.items() if v is not None and v is not False},
    )
