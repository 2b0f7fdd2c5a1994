"""The web chat connector: the parser behind the REST fallback and
`omniroute normalize --channel webchat` (one frame per file), and the routes it mounts
(the WebSocket keeps its session on the connection and uses the same frames and drafts)."""

from collections.abc import Mapping

from aiohttp import web

from connectors.base import Connector, ParseResult
from connectors.webchat import frames, rest, static, ws
from connectors.webchat.config import WebChatConfig
from connectors.webchat.session import ChatSession, draft, valid_id


class WebChatConnector(Connector[WebChatConfig]):
    name = "webchat"
    config_model = WebChatConfig

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        """A message frame names its session inline (REST) or through `context`
        (`session_id`, `visitor_id`); without one the draft has no conversation id."""
        try:
            frame = frames.decode(raw)
        except frames.BadFrame as exc:
            return ParseResult.failed(raw, self.name, exc.code, str(exc))
        if not isinstance(frame, frames.MessageFrame):
            return ParseResult.ignore(f"webchat {frame.type}: not a customer message")
        ctx = context or {}
        session = ChatSession(
            session_id=frame.session_id or valid_id(ctx.get("session_id")),
            visitor_id=frame.visitor_id or valid_id(ctx.get("visitor_id")),
        )
        return ParseResult.of(draft(frame, session, self.config.tenant, self.config.brand))

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get(ws.PATH, ws.handler(self.config), allow_head=False),
            *rest.routes(self, self.config),
            *static.routes(),
        ]
