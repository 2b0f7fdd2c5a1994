"""`GET /v1/chat/ws`: the widget's WebSocket. The Origin is checked before the upgrade; the
session comes from `?session=&visitor=` (a returning widget) or is created and announced in
the `welcome` frame."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from connectors.webchat import origin
from connectors.webchat.config import WebChatConfig
from connectors.webchat.connection import ChatConnection
from connectors.webchat.session import ChatSession, new_id, valid_id

PATH = "/v1/chat/ws"

# aiohttp itself closes (1009) above this; between max_frame_bytes and it, the frame is read
# and answered with an error frame, which tells the widget what went wrong.
HARD_LIMIT_FACTOR = 4


def handler(config: WebChatConfig) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def chat_ws(request: web.Request) -> web.StreamResponse:
        if not origin.allowed(request, config):
            return origin.refuse(request)
        session = ChatSession(
            session_id=valid_id(request.query.get("session")) or new_id(),
            visitor_id=valid_id(request.query.get("visitor")) or new_id(),
        )
        sock = web.WebSocketResponse(
            heartbeat=config.heartbeat_s,
            max_msg_size=config.max_frame_bytes * HARD_LIMIT_FACTOR,
        )
        await sock.prepare(request)
        await ChatConnection(sock, session, request.app, config).run()
        return sock

    return chat_ws
