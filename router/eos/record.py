"""An output record as the transactional producer writes it."""

from dataclasses import dataclass

from intake.headers import Headers

# Every output names its input ("topic/partition/offset"): audit, and the exactly-once verifier.
SOURCE_HEADER = "omniroute-source"


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None  # None: a changelog tombstone
    headers: Headers
    partition: int | None = None  # None: Kafka's default partitioner by key
