"""The content of one WhatsApp Cloud API message, by `type`: text, media metadata, reactions,
locations, shared contacts, orders, button and list replies, flows. A type this module does
not know still becomes a message (with its type in metadata) so a customer is never dropped."""

from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.social.events import IgnoreKind, Json, arr, attachment, hex_sha256, obj, string
from intake.message import Attachment, MetadataValue

_MEDIA = ("image", "video", "audio", "document", "sticker")


@dataclass
class Content:
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


@dataclass(frozen=True)
class NotARequest:
    kind: IgnoreKind
    detail: str


def content(message: Json) -> Content | NotARequest:
    kind = string(message.get("type")) or "unknown"
    body = obj(message.get(kind))
    if kind in _MEDIA:
        return _media(kind, body)
    handler = _BY_TYPE.get(kind)
    if handler is not None:
        return handler(message, body)
    errors = arr(message.get("errors"))
    title = string(obj(errors[0]).get("title")) if errors else None
    return Content(metadata={"wa_type": kind, "wa_error": title})


def _text(_: Json, body: Json) -> Content:
    return Content(text=string(body.get("body")) or "")


def _reaction(_: Json, body: Json) -> Content | NotARequest:
    emoji = string(body.get("emoji"))
    if emoji is None:  # an empty or absent emoji is how WhatsApp reports a removed reaction
        return NotARequest(IgnoreKind.UNREACTION, "reaction removed")
    target = string(body.get("message_id"))
    return Content(text=emoji, metadata={"event": "reaction", "reacted_to": target})


def _button(_: Json, body: Json) -> Content:
    payload = string(body.get("payload"))
    return Content(text=string(body.get("text")) or "", metadata={"button_payload": payload})


def _system(message: Json, _: Json) -> NotARequest:
    detail = string(obj(message.get("system")).get("type")) or "system message"
    return NotARequest(IgnoreKind.SYSTEM, detail)


def _revoke(_: Json, __: Json) -> NotARequest:
    return NotARequest(IgnoreKind.DELETED, "customer deleted a message")


def _media(kind: str, body: Json) -> Content:
    reference = string(body.get("url")) or string(body.get("id"))
    mime = string(body.get("mime_type")) or "application/octet-stream"
    item = attachment(mime, reference, string(body.get("filename")), hex_sha256(body.get("sha256")))
    meta: dict[str, MetadataValue] = {"wa_type": kind, "media_id": string(body.get("id"))}
    if body.get("voice") is True:
        meta["voice"] = True
    return Content(text=string(body.get("caption")) or "", attachments=[item], metadata=meta)


def _location(_: Json, body: Json) -> Content:
    lat, lon = body.get("latitude"), body.get("longitude")
    place = ", ".join(p for p in (string(body.get("name")), string(body.get("address"))) if p)
    text = f"Location: {place} ({lat}, {lon})" if place else f"Location: ({lat}, {lon})"
    latitude = float(lat) if isinstance(lat, int | float) else None
    longitude = float(lon) if isinstance(lon, int | float) else None
    return Content(
        text=text, metadata={"wa_type": "location", "latitude": latitude, "longitude": longitude}
    )


def _contacts(message: Json, _: Json) -> Content:
    cards = arr(message.get("contacts"))
    lines = []
    for card in cards:
        name = string(obj(obj(card).get("name")).get("formatted_name")) or "(no name)"
        phones = [string(obj(p).get("phone")) for p in arr(obj(card).get("phones"))]
        lines.append(" ".join([name, *(p for p in phones if p)]))
    return Content(text="Shared contact: " + "; ".join(lines), metadata={"wa_type": "contacts"})


def _order(_: Json, body: Json) -> Content:
    items = [
        f"{obj(i).get('quantity')} x {obj(i).get('product_retailer_id')}"
        for i in arr(body.get("product_items"))
    ]
    note = string(body.get("text"))
    text = "Order: " + ", ".join(items) + (f"\n{note}" if note else "")
    return Content(text=text, metadata={"wa_type": "order", "catalog_id": body.get("catalog_id")})


def _interactive(_: Json, body: Json) -> Content | NotARequest:
    kind = string(body.get("type")) or "unknown"
    reply = obj(body.get(kind))
    if kind in ("button_reply", "list_reply"):
        parts = [string(reply.get("title")), string(reply.get("description"))]
        return Content(
            text=" - ".join(p for p in parts if p),
            metadata={"wa_type": kind, "reply_id": string(reply.get("id"))},
        )
    if kind == "nfm_reply":
        flow = string(reply.get("response_json"))
        return Content(
            text=string(reply.get("body")) or "",
            metadata={"wa_type": "flow_reply", "flow_response": flow[:4096] if flow else None},
        )
    if kind == "call_permission_reply":
        return NotARequest(IgnoreKind.CALL, f"call permission: {reply.get('response')}")
    return Content(metadata={"wa_type": f"interactive/{kind}"})


def _edit(_: Json, body: Json) -> Content | NotARequest:
    inner = content(obj(body.get("message")))
    if isinstance(inner, Content):
        inner.metadata["edit_of"] = string(body.get("original_message_id"))
    return inner


Handler = Callable[[Json, Json], Content | NotARequest]
_BY_TYPE: dict[str, Handler] = {
    "text": _text,
    "reaction": _reaction,
    "location": _location,
    "contacts": _contacts,
    "order": _order,
    "button": _button,
    "interactive": _interactive,
    "system": _system,
    "revoke": _revoke,
    "edit": _edit,
}
