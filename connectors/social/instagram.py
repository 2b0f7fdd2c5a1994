"""Instagram (`object: instagram`): Direct messages arrive as `messaging` events (the Messenger
shape), comments on the account's media as `changes` with field `comments`/`live_comments`."""

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
from connectors.social.messenger import parse_messaging
from intake.message import Channel, Customer, MessageDraft, Thread

IG = Platform.INSTAGRAM
_COMMENT_FIELDS = ("comments", "live_comments")


def parse_entry(batch: Batch, entry: Json, scope: Scope) -> None:
    if "messaging" in entry or "standby" in entry:
        parse_messaging(batch, IG, entry, scope)
    account = string(entry.get("id")) or ""
    batch.seen(epoch(entry.get("time")))
    for index, change in enumerate(arr(entry.get("changes"))):
        with batch.event(f"instagram change {index}"):
            _change(batch, obj(change), account, scope)


def _change(batch: Batch, change: Json, account: str, scope: Scope) -> None:
    name = string(change.get("field")) or "unknown"
    if name not in _COMMENT_FIELDS:
        # `mentions` carries only ids (the text needs a Graph API call), story insights and
        # the rest are not conversations: counted and skipped, never guessed at.
        batch.ignore(IG, IgnoreKind.UNSUPPORTED, f"field {name}")
        return
    value = obj(change.get("value"))
    author = obj(value.get("from"))
    author_id = required(author.get("id"), "comment from.id")
    if author_id == account or author_id in scope.own_ids:
        batch.ignore(IG, IgnoreKind.OWN, "comment by the account itself")
        return
    comment_id = required(value.get("id"), "comment id")
    media = obj(value.get("media"))
    parent = string(value.get("parent_id"))
    metadata = {
        "platform": "instagram",
        "event": "live_comment" if name == "live_comments" else "comment",
        "username": string(author.get("username")),
        "media_id": string(media.get("id")),
        "media_product_type": string(media.get("media_product_type")),
        "parent_comment_id": parent,
    }
    batch.drafts.append(
        MessageDraft(
            channel=Channel.SOCIAL,
            channel_message_id=f"instagram:comment:{comment_id}",
            tenant=scope.tenant,
            brand=scope.brand,
            customer=Customer(platform="instagram", handle=author_id),
            # A reply joins its top-level comment's thread; a top-level comment starts one.
            thread=Thread(conversation_id=f"instagram:comment:{parent or comment_id}"),
            text=clip(string(value.get("text"))),
            metadata={k: v for k, v in metadata.items() if v is not None},
        )
    )
