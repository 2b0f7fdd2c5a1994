"""The customer directory: which identity keys belong to one customer, and what we know of them.

Records come from the compacted topic `omniroute.customers` (keyed by customer id; a tombstone
removes the customer) or from a CRM export (`intake.directory_load`). They hold identity keys,
never raw identifiers: the keyed HMACs of `intake.identity`, strongest first. The first key is
the customer's canonical routing key, so a customer known to the directory gets one key, and so
one partition, on every channel. `Directory` is the `Resolver` that `Completer` takes.
"""

import zoneinfo
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from intake import serde
from intake.errors import InvalidInput

IdentityKey = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class DirectoryRecord(BaseModel):
    """The value on `omniroute.customers` (JSON). Unknown fields are ignored, so the directory's
    producer can add fields before omniroute reads them."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    customer_id: str = Field(min_length=1, max_length=256, description="The shop's customer id")
    tenant: str = Field("default", min_length=1, max_length=512, description="Tenant (shop)")
    identity_keys: tuple[IdentityKey, ...] = Field(
        min_length=1,
        max_length=100,
        description="Identity HMACs of the customer, strongest first; the first is the routing key",
    )
    tier: str | None = Field(
        None, pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Service tier, e.g. 'vip'"
    )
    language: str | None = Field(None, max_length=35, description="Preferred language, BCP 47")
    time_zone: str | None = Field(None, max_length=64, description="IANA time zone")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @property
    def routing_key(self) -> str:
        return self.identity_keys[0]


class Directory:
    """In-memory index of the directory; identity key -> customer."""

    def __init__(self) -> None:
        self._records: dict[str, DirectoryRecord] = {}  # by topic key (customer id)
        self._owners: dict[str, set[str]] = {}  # identity key -> topic keys claiming it
        self.rejected = 0  # unreadable topic records, for the caller's metrics

    def __len__(self) -> int:
        return len(self._records)

    def __call__(self, keys: list[str]) -> str | None:
        """The `Resolver`: the canonical routing key of the first identity key that belongs to
        exactly one customer. A key claimed by two customers (a family sharing an email
        address, one address at two tenants) decides nothing: the next key may."""
        for key in keys:
            owners = self._owners.get(key)
            if owners is not None and len(owners) == 1:
                return self._records[next(iter(owners))].routing_key
        return None

    def get(self, key: str) -> DirectoryRecord | None:
        """The customer owning an identity or routing key (tier, language, time zone)."""
        owners = self._owners.get(key)
        if owners is None or len(owners) != 1:
            return None
        return self._records[next(iter(owners))]

    def upsert(self, record: DirectoryRecord, topic_key: str | None = None) -> None:
        key = topic_key or record.customer_id
        self.remove(key)
        self._records[key] = record
        for identity in record.identity_keys:
            self._owners.setdefault(identity, set()).add(key)

    def remove(self, topic_key: str) -> None:
        old = self._records.pop(topic_key, None)
        if old is None:
            return
        for identity in old.identity_keys:
            owners = self._owners.get(identity)
            if owners is not None:
                owners.discard(topic_key)
                if not owners:
                    del self._owners[identity]

    def apply(self, key: bytes | None, value: bytes | None) -> bool:
        """One record of the compacted topic (last write wins; None value = tombstone). A bad
        record is counted and skipped, never raised: one broken row must not stop intake."""
        topic_key = key.decode("utf-8", "replace") if key else None
        if value is None:
            if topic_key:
                self.remove(topic_key)
            return topic_key is not None
        try:
            record = serde.loads(DirectoryRecord, value)
        except InvalidInput:
            self.rejected += 1
            return False
        self.upsert(record, topic_key)
        return True
