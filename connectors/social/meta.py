"""Meta webhooks (Messenger, Instagram, WhatsApp Cloud API) at `/v1/social/meta`.

GET is the subscription handshake: Meta sends `hub.mode=subscribe`, our `hub.verify_token`
and a `hub.challenge` to echo. POST bodies are signed with the app secret
(`X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>`); the signature is
checked on the raw bytes before anything is parsed.
"""

from collections.abc import Callable, Mapping

from aiohttp import web

from connectors.base import Connector, ParseResult
from connectors.social import instagram, whatsapp
from connectors.social.config import MetaConfig
from connectors.social.events import Batch, IgnoreKind, Json, Platform, Scope, arr, epoch, obj
from connectors.social.messenger import parse_messaging
from connectors.social.signatures import META_HEADER, tokens_equal, verify_meta
from connectors.social.webhook import deliver, read_safely, refuse
from intake import serde
from intake.errors import InvalidInput
from intake.metrics import AuthFailure

PATH = "/v1/social/meta"

EntryParser = Callable[[Batch, Json, Scope], None]


def _page_entry(batch: Batch, entry: Json, scope: Scope) -> None:
    if "messaging" in entry or "standby" in entry:
        parse_messaging(batch, Platform.MESSENGER, entry, scope)
    for change in map(obj, arr(entry.get("changes"))):
        # Page feed changes (posts, page comments) are a different product; counted, skipped.
        batch.ignore(Platform.MESSENGER, IgnoreKind.UNSUPPORTED, f"field {change.get('field')}")


_PARSERS: dict[str, EntryParser] = {
    "whatsapp_business_account": whatsapp.parse_entry,
    "page": _page_entry,
    "instagram": instagram.parse_entry,
}


class MetaConnector(Connector[MetaConfig]):
    name = "meta"
    config_model = MetaConfig

    @property
    def scope(self) -> Scope:
        return Scope(self.config.tenant, self.config.brand, frozenset(self.config.own_ids))

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        """Signatures are not checked here: the HTTP route does that before calling `read`,
        and `omniroute normalize` is a parser preview of bodies already at hand."""
        return self.read(raw).result(raw, self.name)

    def read(self, raw: bytes) -> Batch:
        data = serde.loads_obj(raw)
        if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
            raise InvalidInput("not a Meta webhook body: no 'entry' array")
        batch = Batch()
        kind = str(data.get("object"))
        parser = _PARSERS.get(kind)
        if parser is None:
            batch.ignore(Platform.META, IgnoreKind.UNSUPPORTED, f"object {kind}")
            return batch
        scope = self.scope
        for index, entry in enumerate(data["entry"]):
            with batch.event(f"entry {index}"):
                batch.seen(epoch(obj(entry).get("time")))
                parser(batch, obj(entry), scope)
        return batch

    def routes(self) -> list[web.RouteDef]:
        return [web.get(PATH, self.handshake, allow_head=False), web.post(PATH, self.receive)]

    async def handshake(self, request: web.Request) -> web.Response:
        query = request.query
        token, challenge = query.get("hub.verify_token"), query.get("hub.challenge")
        if query.get("hub.mode") != "subscribe" or token is None or challenge is None:
            return refuse(request, 403, AuthFailure.MISSING, "not a subscription handshake")
        if not tokens_equal(token, self.config.verify_token.get_secret_value()):
            return refuse(request, 403, AuthFailure.UNKNOWN_TOKEN, "wrong verify token")
        # text/plain + nosniff: the echoed challenge can never be interpreted as markup.
        headers = {"X-Content-Type-Options": "nosniff"}
        return web.Response(text=challenge, content_type="text/plain", headers=headers)

    async def receive(self, request: web.Request) -> web.Response:
        body = await request.read()
        secret = self.config.app_secret.get_secret_value()
        failure = verify_meta(request.headers.get(META_HEADER), secret, body)
        if failure is not None:
            return refuse(request, 401, failure, f"{META_HEADER} missing or not valid")
        result, newest = read_safely(self, body)
        return await deliver(request, self.name, result, newest, self.config.max_age_s)
