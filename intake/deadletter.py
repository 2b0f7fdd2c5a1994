"""Deadletter records: bad input is kept with its raw bytes, the stage and the reason
(DESIGN principle 3). The record value is JSON; raw bytes are base64 so any bytes survive."""

import base64
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from intake import serde
from intake.headers import TYPE_DEADLETTER, Headers, cloudevent_headers


class Stage(StrEnum):
    """Where the input failed. A bounded set: it is a metric label."""

    CONNECTOR = "connector"  # a connector could not parse what the channel delivered
    INTAKE = "intake"  # the intake contract rejected it
    ROUTER_DECODE = "router_decode"  # the router could not read an intake record
    ROUTER_PROCESS = "router_process"  # the router failed on a readable record
    EVENTS = "events"  # a lifecycle event could not be read


class DeadLetter(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: Stage
    reason: str = Field(max_length=4096, description="Why it failed, for a human")
    reason_code: str = Field(max_length=64, description="Machine-readable, bounded set")
    raw_b64: str = Field(description="The input exactly as received, base64")
    source: str = Field(description="Connector or component that saw it")
    source_topic: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    failed_at: AwareDatetime = Field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def of(
        cls,
        raw: bytes,
        *,
        stage: Stage,
        reason_code: str,
        reason: str,
        source: str,
        topic: str | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> "DeadLetter":
        return cls(
            stage=stage,
            reason=reason[:4096],
            reason_code=reason_code,
            raw_b64=base64.b64encode(raw).decode(),
            source=source,
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
        )

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.raw_b64)

    def to_bytes(self) -> bytes:
        return serde.dumps(self)

    def headers(self) -> Headers:
        where = f"{self.source_topic}/{self.source_partition}/{self.source_offset}"
        return cloudevent_headers(
            event_id=f"{self.source}:{where}:{self.failed_at.timestamp()}",
            source=f"/omniroute/{self.stage.value}/{self.source}",
            event_type=TYPE_DEADLETTER,
            time=self.failed_at,
        )
