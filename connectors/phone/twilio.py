"""Twilio Voice callbacks: `POST /v1/phone/twilio/status`, `/recording`, `/transcription`.

Every request must carry a valid X-Twilio-Signature for the configured auth token; otherwise
401 and nothing is produced. Behind a proxy, set `public_base_url` to the scheme and host (and
path prefix) Twilio calls, because the signature covers the URL Twilio requested. Query
parameters `queue` and `department` on the callback URL become the queue / department hints.
`omniroute normalize --channel twilio FILE` reads a file holding one form-encoded body.
"""

import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl

from aiohttp import web
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from connectors.base import Connector, ParseResult, safe_parse
from connectors.phone import http, signature, twilio_params
from connectors.phone.config import PhoneConfig
from connectors.phone.record import to_draft
from intake.errors import InvalidInput
from intake.metrics import AuthFailure

log = logging.getLogger(__name__)

PREFIX = "/v1/phone/twilio/"


class TwilioConfig(PhoneConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_TWILIO_", frozen=True, extra="ignore")

    auth_token: SecretStr | None = Field(
        None, description="Twilio auth token that signs callbacks; unset = every request fails"
    )
    public_base_url: str | None = Field(
        None,
        description="Scheme://host[:port][/prefix] Twilio calls, e.g. https://cs.example.com; "
        "unset = the scheme and Host header of the request as received",
    )

    @field_validator("public_base_url")
    @classmethod
    def _base(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("public_base_url must start with https:// or http://")
        return value.strip().rstrip("/")


class TwilioConnector(Connector[TwilioConfig]):
    name = "twilio"
    config_model = TwilioConfig

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        ctx = context or {}
        params = dict(twilio_params.form_params(raw))
        kind = twilio_params.kind_of(params, ctx.get("callback"))
        query = dict(parse_qsl(ctx.get("query", ""), keep_blank_values=True))
        outcome = twilio_params.record(params, kind, query)
        if isinstance(outcome, str):
            return ParseResult.ignore(outcome)
        return ParseResult.of(to_draft(outcome, self.config))

    def routes(self) -> list[web.RouteDef]:
        if self.config.auth_token is None:
            log.warning("twilio: no auth token configured; %s* rejects every request", PREFIX)
        return [web.post(PREFIX + kind, self._handler(kind)) for kind in twilio_params.KINDS]

    def public_url(self, request: web.Request) -> str:
        base = self.config.public_base_url or f"{request.scheme}://{request.host}"
        return base + request.raw_path  # raw: the signature covers the query as sent

    def _handler(self, kind: str) -> "http.Handler":
        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            if not self._signed(request, body):
                return http.unauthorized(
                    request, AuthFailure.BAD_SIGNATURE, "missing or invalid X-Twilio-Signature"
                )
            query = request.raw_path.partition("?")[2]
            context = {"callback": kind, "query": query}
            return await http.respond(request, self.name, safe_parse(self, body, context))

        return handle

    def _signed(self, request: web.Request, body: bytes) -> bool:
        token = self.config.auth_token
        if token is None:
            return False
        try:
            params = twilio_params.form_params(body)
        except InvalidInput:
            return False
        given = request.headers.get(signature.HEADER)
        return signature.valid(self.public_url(request), params, given, token.get_secret_value())
