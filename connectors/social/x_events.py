"""X Account Activity bodies: one JSON object per delivery, `for_user_id` naming the subscribed
(brand) account and one array per event type. Direct messages to the brand and tweets that
mention, answer or quote it are requests; what the brand itself sends, and likes, follows,
typing indicators and read receipts, are not."""

from datetime import datetime
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
from intake.message import Attachment, Channel, Customer, MessageDraft, Thread

X = Platform.X
_ACTIVITY = (
    "favorite_events",
    "follow_events",
    "unfollow_events",
    "block_events",
    "unblock_events",
    "mute_events",
    "unmute_events",
    "user_event",
)
_OTHER = {
    "direct_message_indicate_typing_events": IgnoreKind.TYPING,
    "direct_message_mark_read_events": IgnoreKind.READ,
    "tweet_delete_events": IgnoreKind.DELETED,
}
_CREATED_AT = "%a %b %d %H:%M:%S %z %Y"


def parse_body(batch: Batch, body: Json, brand: str, scope: Scope) -> None:
    for key in _ACTIVITY:
        for _ in arr(body.get(key)) or ([1] if isinstance(body.get(key), dict) else []):
            batch.ignore(X, IgnoreKind.ACTIVITY, key)
    for key, kind in _OTHER.items():
        for _ in arr(body.get(key)):
            batch.ignore(X, kind, key)
    users = obj(body.get("users"))
    for index, event in enumerate(arr(body.get("direct_message_events"))):
        with batch.event(f"x direct message {index}"):
            _direct_message(batch, obj(event), users, brand, scope)
    for index, tweet in enumerate(arr(body.get("tweet_create_events"))):
        with batch.event(f"x tweet {index}"):
            _tweet(batch, obj(tweet), brand, scope)


def _direct_message(batch: Batch, event: Json, users: Json, brand: str, scope: Scope) -> None:
    when = epoch(event.get("created_timestamp"))
    batch.seen(when)
    if event.get("type") != "message_create":
        batch.ignore(X, IgnoreKind.UNSUPPORTED, f"direct message event {event.get('type')}")
        return
    create = obj(event.get("message_create"))
    sender = required(create.get("sender_id"), "sender_id")
    if sender == brand or sender in scope.own_ids:
        batch.ignore(X, IgnoreKind.ECHO, "direct message sent by the brand")
        return
    data = obj(create.get("message_data"))
    user = obj(users.get(sender))
    media = obj(obj(data.get("attachment")).get("media"))
    files = [_media(media)] if media else []
    text = _expand(string(data.get("text")) or "", obj(data.get("entities")), files)
    quick = string(obj(data.get("quick_reply_response")).get("metadata"))
    batch.drafts.append(
        _draft(
            f"x:dm:{required(event.get('id'), 'id')}",
            when=when,
            author=sender,
            user=user,
            conversation=f"x:dm:{brand}:{sender}",
            text=text,
            files=files,
            meta={"event": "direct_message", "quick_reply": quick},
            scope=scope,
        )
    )


def _tweet(batch: Batch, tweet: Json, brand: str, scope: Scope) -> None:
    when = epoch(tweet.get("timestamp_ms")) or _created_at(tweet.get("created_at"))
    batch.seen(when)
    user = obj(tweet.get("user"))
    author = required(user.get("id_str"), "user.id_str")
    if author == brand or author in scope.own_ids:
        batch.ignore(X, IgnoreKind.OWN, "tweet by the brand")
        return
    if "retweeted_status" in tweet:
        batch.ignore(X, IgnoreKind.ACTIVITY, "retweet")
        return
    extended = obj(tweet.get("extended_tweet"))
    entities = obj(extended.get("entities")) or obj(tweet.get("entities"))
    mentioned = {string(obj(m).get("id_str")) for m in arr(entities.get("user_mentions"))}
    quoted = string(obj(obj(tweet.get("quoted_status")).get("user")).get("id_str"))
    replied = string(tweet.get("in_reply_to_user_id_str"))
    if brand not in mentioned and brand not in (quoted, replied):
        batch.ignore(X, IgnoreKind.NOT_ADDRESSED, "tweet does not mention the brand")
        return
    tweet_id = required(tweet.get("id_str"), "id_str")
    extended_entities = obj(extended.get("extended_entities")) or obj(
        tweet.get("extended_entities")
    )
    files = [_media(obj(m)) for m in arr(extended_entities.get("media"))]
    raw_text = string(extended.get("full_text")) or string(tweet.get("full_text"))
    text = _expand(raw_text or string(tweet.get("text")) or "", entities, files)
    parent = string(tweet.get("in_reply_to_status_id_str"))
    meta = {"event": "tweet", "in_reply_to": parent, "quoted_brand": quoted == brand or None}
    batch.drafts.append(
        _draft(
            f"x:tweet:{tweet_id}",
            when=when,
            author=author,
            user=user,
            conversation=f"x:tweet:{parent or tweet_id}",
            text=text,
            files=files,
            meta=meta,
            scope=scope,
        )
    )


def _draft(
    cmid: str,
    *,
    when: datetime | None,
    author: str,
    user: Json,
    conversation: str,
    text: str,
    files: list[Attachment],
    meta: dict[str, Any],
    scope: Scope,
) -> MessageDraft:
    meta = {"platform": "x", "screen_name": string(user.get("screen_name")), **meta}
    return MessageDraft(
        channel=Channel.SOCIAL,
        channel_message_id=cmid,
        tenant=scope.tenant,
        brand=scope.brand,
        occurred_at=when,
        # The numeric id, not the @name: screen names can be changed, ids cannot.
        customer=Customer(platform="x", handle=author, name=string(user.get("name"))),
        thread=Thread(conversation_id=conversation),
        text=clip(text),
        attachments=tuple(files),
        metadata={k: v for k, v in meta.items() if v is not None},
    )


def _media(media: Json) -> Attachment:
    url = string(media.get("media_url_https")) or string(media.get("media_url"))
    return attachment(media_type(string(media.get("type")) or "photo", url), url)


def _expand(text: str, entities: Json, files: list[Attachment]) -> str:
    """t.co links become the URLs the customer wrote; media links go (the media is attached)."""
    for url in map(obj, arr(entities.get("urls"))):
        short, full = string(url.get("url")), string(url.get("expanded_url"))
        if short and full:
            text = text.replace(short, full)
    if files:
        for media in map(obj, arr(entities.get("media"))):
            short = string(media.get("url"))
            text = text.replace(short, "") if short else text
    return text.strip()


def _created_at(value: Any) -> datetime | None:
    try:
        return datetime.strptime(str(value), _CREATED_AT)
    except ValueError:
        return None
