"""The benchmark's traffic mix: what an after-sales inbox receives, reproducible from a seed.

Channels in realistic shares and shapes (long emails with subject and sign-off, one-line chats,
tweet-sized social posts, call records and callback requests, API posts), English and Chinese
text, a known share of exact duplicates (a redelivery: same channel message id), near-duplicates
(the same text sent again under a new id), follow-ups (a new text in an earlier contact's thread)
and VIP customers. Items are `MessageDraft` JSON, what an adapter POSTs; each carries its
sequence number in `metadata.lg_seq`, the field `router.verify` checks inputs by.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bench.texts import GREETING, SUBJECTS_EN, SUBJECTS_ZH, Pools

CHANNELS = {"email": 0.30, "webchat": 0.25, "social": 0.20, "api": 0.15, "phone": 0.10}
PHONE_KINDS = {"call_record": 0.5, "message": 0.3, "callback_request": 0.2}
_RECENT = 2000  # duplicates and follow-ups refer to recent traffic, as they do in real inboxes


@dataclass(frozen=True)
class MixSpec:
    messages: int
    customers: int = 5000
    vip_share: float = 0.05
    zh_share: float = 0.30
    duplicate_share: float = 0.03
    near_duplicate_share: float = 0.03
    follow_up_share: float = 0.10
    seed: int = 11


@dataclass(slots=True)
class Item:
    seq: int
    kind: str  # new | duplicate | near_duplicate | follow_up
    draft: dict[str, Any]
    vip: bool


@dataclass
class _Customer:
    number: int
    vip: bool
    zh: bool
    drafts: list[dict[str, Any]] = field(default_factory=list)


def customer_id(number: int) -> str:
    return f"cust-{number}"


def vip_customers(spec: MixSpec) -> list[int]:
    rng = random.Random(spec.seed + 1)  # noqa: S311 - reproducible test data
    return sorted(rng.sample(range(spec.customers), int(spec.customers * spec.vip_share)))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def _sentences(rng: random.Random, pools: Pools, zh: bool, n: int, order: str) -> str:
    pool = pools.zh if zh else pools.en
    joiner = "" if zh else " "
    return joiner.join(rng.choice(pool).replace("{order}", order) for _ in range(n))


def _body(
    rng: random.Random, pools: Pools, c: _Customer, channel: str, order: str
) -> dict[str, Any]:
    lang = "zh" if c.zh else "en"
    if channel == "email":
        hello, bye = GREETING[lang]
        text = _sentences(rng, pools, c.zh, rng.randint(2, 6), order)
        subject = rng.choice(SUBJECTS_ZH if c.zh else SUBJECTS_EN).replace("{order}", order)
        return {"subject": subject, "text": f"{hello}\n\n{text}\n\n{bye}"}
    counts = {"webchat": (1, 2), "social": (1, 2), "api": (1, 3), "phone": (1, 3)}[channel]
    text = _sentences(rng, pools, c.zh, rng.randint(*counts), order)
    return {"text": text[:280] if channel == "social" else text}


def _new(
    rng: random.Random, pools: Pools, c: _Customer, seq: int, channel: str | None = None
) -> dict[str, Any]:
    channel = channel or _pick(rng, CHANNELS)
    order = f"{rng.randrange(10**7, 10**8)}"
    cid = customer_id(c.number)
    draft: dict[str, Any] = {
        "channel": channel,
        "channel_message_id": f"bench-{seq}",
        "customer": {"customer_id": cid, "email": f"{cid}@example.com"},
        "language": "zh-CN" if c.zh else "en",
        **_body(rng, pools, c, channel, order),
    }
    if order in draft["text"]:
        draft["customer"]["order_numbers"] = [order]
    if channel == "email":
        draft["thread"] = {"message_id_header": f"<{seq}.{cid}@mail.example>"}
    elif channel in ("webchat", "social", "api"):
        draft["thread"] = {"conversation_id": f"conv-{cid}-{seq}"}
    if channel == "social":
        draft["customer"] |= {"platform": "whatsapp", "handle": f"h{c.number}"}
    if channel == "phone":
        draft["kind"] = _pick(rng, PHONE_KINDS)
    return draft


def _follow_up(
    rng: random.Random, pools: Pools, c: _Customer, earlier: dict[str, Any], seq: int
) -> dict[str, Any]:
    draft = _new(rng, pools, c, seq, earlier["channel"])
    thread = dict(earlier.get("thread", {}))
    if "message_id_header" in thread:
        thread = {
            "in_reply_to": thread["message_id_header"],
            "message_id_header": f"<{seq}.reply@mail.example>",
        }
    draft["thread"] = thread
    draft.pop("kind", None)
    if "subject" in earlier:
        draft["subject"] = "Re: " + str(earlier["subject"])
    return draft


def generate(spec: MixSpec, pools: Pools) -> Iterator[Item]:
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible test data
    vips = set(vip_customers(spec))
    customers = [
        _Customer(n, n in vips, rng.random() < spec.zh_share) for n in range(spec.customers)
    ]
    recent: list[tuple[_Customer, dict[str, Any]]] = []
    shares = (spec.duplicate_share, spec.near_duplicate_share, spec.follow_up_share)
    for seq in range(spec.messages):
        roll = rng.random()
        kind = "new"
        if recent and roll < shares[0]:
            c, draft = rng.choice(recent[-_RECENT:])
            draft, kind = dict(draft), "duplicate"
        elif recent and roll < shares[0] + shares[1]:
            c, draft = rng.choice(recent[-_RECENT:])
            draft, kind = dict(draft) | {"channel_message_id": f"bench-{seq}"}, "near_duplicate"
        elif recent and roll < sum(shares):
            c, earlier = rng.choice(recent[-_RECENT:])
            draft, kind = _follow_up(rng, pools, c, earlier, seq), "follow_up"
        else:
            c = rng.choice(customers)
            draft = _new(rng, pools, c, seq)
            recent.append((c, draft))
        draft["metadata"] = {"lg_seq": seq}
        yield Item(seq, kind, draft, c.vip)
