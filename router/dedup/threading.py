"""Layer 3, threading: a follow-up joins the open case instead of opening a new one.

Thread keys, strongest first:
- explicit: the email References / In-Reply-To ids and the channel's conversation (chat
  session, social thread, the email thread root). The customer told us what this answers.
- implicit: an order number the customer already wrote about in an open case.
Explicit keys are looked up before the near-duplicate layer (a repeat inside one conversation
is a follow-up the agent should see, not a duplicate to hide); order numbers after it. Every
key is scoped by the customer, so two customers quoting one order number never share a case.
A row is 20 bytes: the key's 64-bit hash, when it was last used and its case.
"""

import unicodedata
from dataclasses import dataclass, field

import numpy as np

from intake.message import Message
from router.dedup.keys import digest
from router.state import codec
from router.state.changes import Changes
from router.state.restore import Layout
from router.state.settings import DedupSettings
from router.state.table import KeyTable

COLUMNS = {"ts": np.uint32, "case": np.uint64}
LAYOUT = Layout(codec.THREAD)


@dataclass(frozen=True, slots=True)
class ThreadKeys:
    explicit: list[int] = field(default_factory=list)  # looked up before near-duplicates
    orders: list[int] = field(default_factory=list)  # looked up after them
    own: list[int] = field(default_factory=list)  # registered for later follow-ups

    def registered(self) -> list[int]:
        """Keys that point at the message's case afterwards. Not every ancestor in References:
        those came through here themselves (or are ours); the direct parent is kept so that a
        client which drops References still threads."""
        return list(dict.fromkeys([*self.own, *self.orders]))


def _message_id(value: str) -> str:
    return value.strip().strip("<>").strip()


def _order(value: str) -> str:
    # "#A-1234", "a1234" and "Ａ１２３４" are one order; punctuation is formatting.
    return "".join(ch for ch in unicodedata.normalize("NFKC", value).casefold() if ch.isalnum())


def thread_keys(message: Message, scope: str, settings: DedupSettings) -> ThreadKeys:
    keys = ThreadKeys()
    thread = message.thread
    if settings.thread_by_conversation:
        refs = [thread.in_reply_to, *reversed(thread.references)]  # nearest ancestor first
        for ref in refs:
            if ref and _message_id(ref):
                keys.explicit.append(digest("e", scope, _message_id(ref)))
        if keys.explicit:
            keys.own.append(keys.explicit[0])
        if thread.conversation_id and thread.conversation_id.strip():
            conv = digest("s", scope, message.channel.value, thread.conversation_id.strip())
            keys.explicit.append(conv)
            keys.own.append(conv)
        if thread.message_id_header and _message_id(thread.message_id_header):
            keys.own.append(digest("e", scope, _message_id(thread.message_id_header)))
    if settings.thread_by_order:
        for number in message.customer.order_numbers:
            if norm := _order(number):
                keys.orders.append(digest("o", scope, norm))
    return keys


class ThreadIndex:
    def __init__(self, window_s: int, changes: Changes) -> None:
        self.table = KeyTable(COLUMNS)
        self._window = window_s
        self._changes = changes

    def find(self, keys: list[int], now: int) -> int | None:
        """Case of the first key used within the window."""
        for key in keys:
            slot = self.table.find(key)
            if slot >= 0 and now - self.table.get(slot, "ts") <= self._window:
                return self.table.get(slot, "case")
        return None

    def record(self, keys: list[int], ts: int, case: int) -> None:
        for key in keys:
            when = ts
            slot = self.table.find(key)
            if slot >= 0 and self.table.get(slot, "case") == case:
                when = max(ts, self.table.get(slot, "ts"))  # out-of-order input never rewinds
            self.table.put(key, {"ts": when, "case": case})
            value = codec.entry_value(codec.THREAD, {"ts": when, "case": case})
            self._changes.put(codec.entry_key(codec.THREAD, key), value)
