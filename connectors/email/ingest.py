"""The one delivery path shared by IMAP, SMTP and HTTP: parse, keep failures, publish.

It returns only after Kafka acknowledged everything it produced (the deadletter included), so
each caller acks its upstream after it returns and never when it raises KafkaUnavailable.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.base import Connector, ParseResult, safe_parse
from intake.publisher import Ack
from intake.sink import Sink


@dataclass(frozen=True, slots=True)
class Delivered:
    result: ParseResult
    acks: list[Ack]

    @property
    def deadlettered(self) -> bool:
        return self.result.deadletter is not None


async def ingest(
    connector: Connector[Any],
    sink: Sink,
    raw: bytes,
    source: str,
    context: Mapping[str, str] | None = None,
) -> Delivered:
    result = safe_parse(connector, raw, context)
    for record in result.deadletters:
        await sink.deadletter(record)
    acks = await sink.deliver(result.drafts, source)
    return Delivered(result, acks)
