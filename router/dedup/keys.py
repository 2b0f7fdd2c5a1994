"""The 64-bit keys the state tables are indexed by.

Message and case ids are uuids: their two 64-bit halves are stored as they are (the high half
is the table key), so the full id can be given back as the "original" of a duplicate without
storing strings. Everything else (customer scope, thread keys) is an 8-byte BLAKE2b of values
that are already scoped by the customer's routing key, itself a keyed HMAC: the changelog
therefore never holds an email address, a Message-ID or an order number in clear.
"""

import hashlib
import uuid

from intake.message import Message

# Fixed namespaces: case ids must be reproducible across processes, because a replayed
# message must open (and be dispatched with) the same case id as the first time.
CASE_NAMESPACE = uuid.UUID("0b6f3e0e-2c55-5d5e-9c1a-6f6d6e69726f")
_FOREIGN_ID_NAMESPACE = uuid.UUID("7f1c2a9e-51d0-5b8e-8a3c-6f6d6e69726f")
_PERSON = b"omniroute-dedup"


def halves(value: uuid.UUID) -> tuple[int, int]:
    n = value.int
    return n >> 64, n & ((1 << 64) - 1)


def message_halves(message_id: str) -> tuple[int, int]:
    """Intake ids are uuid5 (never a zero high half, thanks to the version bits). An id that
    is not a uuid (a producer bypassing intake) is stood in for by a uuid5 of itself."""
    try:
        value = uuid.UUID(message_id)
    except ValueError:
        value = uuid.uuid5(_FOREIGN_ID_NAMESPACE, message_id)
    if value.int >> 64 == 0:
        value = uuid.uuid5(_FOREIGN_ID_NAMESPACE, message_id)
    return halves(value)


def uuid_str(hi: int, lo: int) -> str:
    return str(uuid.UUID(int=(hi << 64) | lo))


def new_case(message_id: str) -> uuid.UUID:
    return uuid.uuid5(CASE_NAMESPACE, message_id)


def case_halves(case_id: str) -> tuple[int, int] | None:
    try:
        return halves(uuid.UUID(case_id))
    except ValueError:
        return None


def digest(*parts: str) -> int:
    """Non-zero 64-bit hash of the parts (0 marks an empty table slot)."""
    h = hashlib.blake2b(digest_size=8, person=_PERSON)
    h.update("\x1f".join(parts).encode("utf-8", "surrogatepass"))
    return int.from_bytes(h.digest(), "big") or 1


def customer_scope(message: Message) -> str:
    """Tenant + routing key: one email address writing to two shops is two customers."""
    return f"{message.tenant}\x1e{message.routing_key}"
