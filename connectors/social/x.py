"""X (Twitter) Account Activity webhook at `/v1/social/x`.

GET is the challenge-response check X repeats about hourly: answer
`{"response_token": "sha256=" + base64(HMAC-SHA256(consumer_secret, crc_token))}` or X marks
the webhook invalid. POST bodies carry `x-twitter-webhooks-signature` (the same HMAC, over the
raw body), checked before anything is parsed.
"""

from collections.abc import Mapping

from aiohttp import web

from connectors.base import Connector, ParseResult
from connectors.social.config import XConfig
from connectors.social.events import Batch, IgnoreKind, Platform, Scope, string
from connectors.social.signatures import X_HEADER, verify_x, x_crc_response
from connectors.social.webhook import deliver, read_safely, refuse
from connectors.social.x_events import parse_body
from intake import serde
from intake.errors import InvalidInput
from intake.metrics import AuthFailure

PATH = "/v1/social/x"


class XConnector(Connector[XConfig]):
    name = "x"
    config_model = XConfig

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        """A parser preview: the signature is checked by the HTTP route, not here."""
        return self.read(raw).result(raw, self.name)

    def read(self, raw: bytes) -> Batch:
        data = serde.loads_obj(raw)
        if not isinstance(data, dict):
            raise InvalidInput("not an Account Activity body: expected a JSON object")
        batch = Batch()
        configured = self.config.for_user_id
        target = string(data.get("for_user_id"))
        if configured and target and target != configured:
            batch.ignore(Platform.X, IgnoreKind.NOT_ADDRESSED, "events for another account")
            return batch
        brand = configured or target
        if not brand:
            raise InvalidInput("no for_user_id in the body and none configured")
        scope = Scope(self.config.tenant, self.config.brand)
        parse_body(batch, data, brand, scope)
        return batch

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PATH, self.crc, allow_head=False), web.post(PATH, self.receive)]

    async def crc(self, request: web.Request) -> web.Response:
        token = request.query.get("crc_token")
        secret = self.config.consumer_secret.get_secret_value()
        if not token:
            return refuse(request, 403, AuthFailure.MISSING, "crc_token missing")
        if not secret:
            # Answering with an HMAC of an empty key would "validate" a misconfigured webhook.
            return refuse(request, 403, AuthFailure.FORBIDDEN, "no consumer secret configured")
        return web.json_response(x_crc_response(secret, token))

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        secret = self.config.consumer_secret.get_secret_value()
        failure = verify_x(request.headers.get(X_HEADER), secret, body)
        if failure is not None:
            return refuse(request, 401, failure, f"{X_HEADER} missing or not valid")
        result, newest = read_safely(self, body)
        return await deliver(request, self.name, result, newest, self.config.max_age_s)
