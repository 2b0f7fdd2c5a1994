"""FreeSWITCH mod_json_cdr: `POST /v1/phone/freeswitch` (json_cdr.conf: url, cred, encode).

Authenticated by HTTP Basic (mod_json_cdr's `cred`, auth-scheme basic) or a bearer token. A
2xx is mod_json_cdr's signal to forget the record, so it is sent only after Kafka's ack; on any
other answer mod_json_cdr retries and finally writes the CDR to its err-log-dir.
"""

import logging
from collections.abc import Mapping

from aiohttp import web
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.base import Connector, ParseResult, safe_parse
from connectors.phone import fs_cdr, http, httpauth
from connectors.phone.config import PhoneConfig
from connectors.phone.record import to_draft
from intake.metrics import AuthFailure

log = logging.getLogger(__name__)

PATH = "/v1/phone/freeswitch"


class FreeswitchConfig(PhoneConfig):
    model_config = SettingsConfigDict(
        env_prefix="OMNIROUTE_FREESWITCH_", frozen=True, extra="ignore"
    )

    username: str = Field("freeswitch", description="HTTP Basic user (json_cdr.conf cred)")
    password: SecretStr | None = Field(
        None, description="HTTP Basic password; unset = Basic is not accepted"
    )
    bearer_token: SecretStr | None = Field(
        None, description="Bearer token accepted instead of Basic; unset = not accepted"
    )
    values_url_encoded: bool = Field(
        True, description="json_cdr.conf encode-values (FreeSWITCH default true)"
    )
    include_b_leg: bool = Field(
        False, description="Also turn B-leg CDRs (log-b-leg) into messages; off = one per call"
    )
    outbound_contexts: tuple[str, ...] = Field(
        (), description="Dialplan contexts of calls placed by us, not to us"
    )
    voicemail_apps: tuple[str, ...] = Field(
        ("voicemail",), description="last_app values that mean the caller reached voicemail"
    )
    queue_variables: tuple[str, ...] = Field(
        ("cc_queue", "fifo_name", "callgroup"),
        description="Channel variables naming the queue / group (first non-empty wins)",
    )
    recording_variables: tuple[str, ...] = Field(
        ("recording_url", "recording_file", "record_file"),
        description="Channel variables holding the recording location (first non-empty wins)",
    )
    transcript_variables: tuple[str, ...] = Field(
        ("transcript", "transcription_text"),
        description="Channel variables holding a transcript text (first non-empty wins)",
    )


class FreeswitchConnector(Connector[FreeswitchConfig]):
    name = "freeswitch"
    config_model = FreeswitchConfig

    def __init__(self, config: FreeswitchConfig) -> None:
        super().__init__(config)
        self.options = fs_cdr.FsOptions(
            values_url_encoded=config.values_url_encoded,
            outbound_contexts=frozenset(config.outbound_contexts),
            voicemail_apps=frozenset(a.casefold() for a in config.voicemail_apps),
            queue_variables=config.queue_variables,
            recording_variables=config.recording_variables,
            transcript_variables=config.transcript_variables,
        )

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        ctx = context or {}
        data = fs_cdr.decode_body(raw, ctx.get("content_type", ""))
        if fs_cdr.is_b_leg(data) and not self.config.include_b_leg:
            return ParseResult.ignore("freeswitch: B-leg CDR (the call is reported by its A-leg)")
        record = fs_cdr.call_record(data, self.options, ctx.get("uuid", ""))
        return ParseResult.of(to_draft(record, self.config))

    def routes(self) -> list[web.RouteDef]:
        if self.config.password is None and self.config.bearer_token is None:
            log.warning("freeswitch: no credential configured; %s rejects every request", PATH)
        return [web.post(PATH, self.handle)]

    async def handle(self, request: web.Request) -> web.Response:
        header = request.headers.get("Authorization")
        cfg = self.config
        if not httpauth.check(header, cfg.username, cfg.password, cfg.bearer_token):
            reason = AuthFailure.MISSING if not header else AuthFailure.UNKNOWN_TOKEN
            detail = "missing credentials" if not header else "wrong credentials"
            return http.unauthorized(request, reason, detail, 'Basic realm="omniroute"')
        body = await request.read()
        context = {"content_type": request.content_type, "uuid": request.query.get("uuid", "")}
        return await http.respond(request, self.name, safe_parse(self, body, context))
