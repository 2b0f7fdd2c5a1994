"""The small interface every connector implements.

A connector turns what a channel delivers (a MIME message, a CDR line, a webhook body, a chat
frame) into drafts, and never raises on bad input: `parse` returns a `ParseResult` holding the
drafts, the events that are not customer messages (and why), or a deadletter record.

Example, a connector for a hypothetical JSON feed::

    class FeedConfig(ConnectorConfig):
        model_config = SettingsConfigDict(env_prefix="OMNIROUTE_FEED_", frozen=True)
        tenant: str = Field("default", description="Tenant the feed belongs to")

    class FeedConnector(Connector[FeedConfig]):
        name = "feed"
        config_model = FeedConfig

        def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
            data = serde.loads_obj(raw)          # InvalidInput on bad JSON
            if data.get("type") == "typing":
                return ParseResult.ignore("typing indicator")
            return ParseResult.of(MessageDraft(channel=Channel.API, ...))

`safe_parse` wraps `parse` so that even a bug becomes a deadletter record, not a crash.
Push connectors add HTTP routes (`routes`); pull connectors (IMAP, SMTP, file tailers)
implement `run(sink)` and ack upstream only after `sink.deliver` returned.
"""

import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Generic, TypeVar

from aiohttp import web
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.deadletter import DeadLetter, Stage
from intake.errors import InvalidInput
from intake.message import MessageDraft
from intake.sink import Sink

log = logging.getLogger(__name__)


class ConnectorConfig(BaseSettings):
    """Base of connector configs: frozen, every field with a default and a description."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")


C = TypeVar("C", bound=ConnectorConfig)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one payload became. A payload can hold many records (a file of CDR lines, a webhook
    batch), so a bad record costs one deadletter while its neighbours still become drafts."""

    drafts: list[MessageDraft] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # reasons, e.g. "whatsapp status: read"
    deadletters: tuple[DeadLetter, ...] = ()

    @property
    def deadletter(self) -> DeadLetter | None:
        """The first deadletter, for payloads that are one record (a mail, a webhook body)."""
        return self.deadletters[0] if self.deadletters else None

    @classmethod
    def combine(cls, results: "Sequence[ParseResult]") -> "ParseResult":
        return cls(
            drafts=[d for r in results for d in r.drafts],
            ignored=[reason for r in results for reason in r.ignored],
            deadletters=tuple(dl for r in results for dl in r.deadletters),
        )

    @classmethod
    def of(cls, *drafts: MessageDraft) -> "ParseResult":
        return cls(drafts=list(drafts))

    @classmethod
    def ignore(cls, reason: str) -> "ParseResult":
        return cls(ignored=[reason])

    @classmethod
    def failed(cls, raw: bytes, source: str, reason_code: str, reason: str) -> "ParseResult":
        record = DeadLetter.of(
            raw, stage=Stage.CONNECTOR, reason_code=reason_code, reason=reason, source=source
        )
        return cls(deadletters=(record,))


class Connector(ABC, Generic[C]):
    name: ClassVar[str]
    config_model: ClassVar[type[ConnectorConfig]]

    def __init__(self, config: C) -> None:
        self.config = config

    @abstractmethod
    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        """Pure and total: bad input yields `ParseResult.failed`, never an exception."""

    def routes(self) -> list[web.RouteDef]:
        """HTTP endpoints of a push connector (mounted on the intake app)."""
        return []

    async def run(self, sink: Sink) -> None:
        """Main loop of a pull connector; returns when cancelled."""


def safe_parse(
    connector: Connector[C], raw: bytes, context: Mapping[str, str] | None = None
) -> ParseResult:
    """The total wrapper: a parser bug must cost one deadletter record, not the consumer."""
    try:
        return connector.parse(raw, context)
    except InvalidInput as exc:
        return ParseResult.failed(raw, connector.name, "invalid_input", str(exc))
    except Exception as exc:
        log.exception("connector %s crashed on input", connector.name)
        return ParseResult.failed(
            raw, connector.name, "parser_error", f"{type(exc).__name__}: {exc}"
        )
