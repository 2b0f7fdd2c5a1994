"""Asterisk CSV CDRs (cdr_csv Master.csv or cdr_custom), read by a checkpointed file tailer.

`omniroute connect asterisk` runs `run(sink)`; `omniroute normalize --channel asterisk FILE`
runs `parse` on a file of CDR lines (one message per good line, a deadletter per bad one).
"""

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from connectors.base import Connector, ParseResult
from connectors.phone.asterisk_csv import Layout, call_record
from connectors.phone.cdr_custom import mapping_columns, master_columns
from connectors.phone.checkpoint import CheckpointStore
from connectors.phone.config import PhoneConfig
from connectors.phone.pump import TailPump
from connectors.phone.record import to_draft
from connectors.phone.tailer import FileTailer
from intake.errors import InvalidInput
from intake.sink import Sink

log = logging.getLogger(__name__)


class AsteriskConfig(PhoneConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_ASTERISK_", frozen=True, extra="ignore")

    path: Path = Field(
        Path("/var/log/asterisk/cdr-csv/Master.csv"), description="CDR CSV file to follow"
    )
    checkpoint_path: Path | None = Field(
        None, description="Checkpoint file; unset = '<path>.omniroute-checkpoint'"
    )
    timezone: str = Field(
        "UTC",
        description="IANA zone of the CDR times: Asterisk's local zone, or UTC with usegmtime=yes",
    )
    loguniqueid: bool = Field(True, description="cdr.conf [csv] loguniqueid (uniqueid column)")
    loguserfield: bool = Field(True, description="cdr.conf [csv] loguserfield (userfield column)")
    newcdrcolumns: bool = Field(
        False, description="cdr.conf [csv] newcdrcolumns (peeraccount, linkedid, sequence)"
    )
    custom_mapping: str | None = Field(
        None,
        description="cdr_custom mapping ('Master.csv => ${CSV_QUOTE(${CDR(clid)})},...') or "
        "comma-separated CDR field names; unset = the cdr_csv Master.csv layout",
    )
    outbound_contexts: tuple[str, ...] = Field(
        (), description="Dialplan contexts (dcontext) of calls placed by us, not to us"
    )
    voicemail_apps: tuple[str, ...] = Field(
        ("VoiceMail", "MinivmRecord"), description="Last applications that mean voicemail"
    )
    recording_column: str = Field(
        "recordingfile", description="cdr_custom column holding the recording file, if any"
    )
    transcript_column: str = Field(
        "transcript", description="cdr_custom column holding a transcript text, if any"
    )
    start_position: Literal["beginning", "end"] = Field(
        "beginning", description="Where a first start (no checkpoint) begins reading"
    )
    poll_interval_s: float = Field(1.0, gt=0, description="Wait between polls at end of file")
    batch_max_lines: int = Field(500, ge=1, description="Lines delivered per Kafka round trip")
    max_line_bytes: int = Field(65_536, ge=256, description="Longer lines go to deadletter")
    rotated_glob: str = Field(
        "{name}?*", description="Glob of rotated generations next to the file ({name} = file)"
    )
    rotation_grace_s: float = Field(
        2.0, ge=0, description="How long a rotated-away file is still read for late writes"
    )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{value}'") from None
        return value

    @field_validator("rotated_glob")
    @classmethod
    def _glob(cls, value: str) -> str:
        try:
            pattern = value.format(name="Master.csv")
        except (KeyError, IndexError, ValueError):
            raise ValueError("rotated_glob may only use the placeholder {name}") from None
        if "/" in pattern or not pattern:
            raise ValueError("rotated_glob matches names in the CDR file's own directory")
        return value

    @field_validator("custom_mapping")
    @classmethod
    def _mapping(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            mapping_columns(value)  # raises ValueError with the offending column
            return value
        return None

    def columns(self) -> tuple[str, ...]:
        if self.custom_mapping:
            return mapping_columns(self.custom_mapping)
        return master_columns(self.loguniqueid, self.loguserfield, self.newcdrcolumns)

    def checkpoint_file(self) -> Path:
        return self.checkpoint_path or self.path.with_name(self.path.name + ".omniroute-checkpoint")


class AsteriskConnector(Connector[AsteriskConfig]):
    name = "asterisk"
    config_model = AsteriskConfig

    def __init__(self, config: AsteriskConfig) -> None:
        super().__init__(config)
        self.layout = Layout(
            columns=config.columns(),
            timezone=ZoneInfo(config.timezone),
            outbound_contexts=frozenset(config.outbound_contexts),
            voicemail_apps=frozenset(a.casefold() for a in config.voicemail_apps),
            recording_column=config.recording_column,
            transcript_column=config.transcript_column,
        )

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        """A payload of one or more CDR lines."""
        name = (context or {}).get("filename", "input")
        results = [
            self.parse_line(line, f"{name}:{number}")
            for number, line in enumerate(raw.split(b"\n"), start=1)
            if line.strip()
        ]
        return ParseResult.combine(results) if results else ParseResult.ignore("no CDR lines")

    def parse_line(self, raw: bytes, where: str) -> ParseResult:
        """Total: a bad line becomes a deadletter record carrying the raw line."""
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            return ParseResult.ignore(f"{where}: blank line")
        try:
            return ParseResult.of(to_draft(call_record(line, self.layout), self.config))
        except InvalidInput as exc:
            return ParseResult.failed(line, self.name, "invalid_cdr", f"{where}: {exc}")
        except Exception as exc:
            log.exception("asterisk parser crashed on %s", where)
            reason = f"{where}: {type(exc).__name__}: {exc}"
            return ParseResult.failed(line, self.name, "parser_error", reason)

    async def run(self, sink: Sink) -> None:
        config = self.config
        tailer = FileTailer(
            config.path,
            CheckpointStore(config.checkpoint_file()),
            max_line_bytes=config.max_line_bytes,
            rotated_glob=config.rotated_glob,
            rotation_grace_s=config.rotation_grace_s,
            start_at_end=config.start_position == "end",
        )
        pump = TailPump(
            tailer,
            self.parse_line,
            self.name,
            batch_lines=config.batch_max_lines,
            poll_interval_s=config.poll_interval_s,
        )
        log.info("following %s (checkpoint %s)", config.path, config.checkpoint_file())
        await pump.run(sink)
