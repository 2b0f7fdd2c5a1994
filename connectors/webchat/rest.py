"""`POST /v1/chat/messages`: the REST fallback for browsers or networks without WebSockets.
The body is a `message` frame with `session_id` and `visitor_id`; the answer is the same
`ack` frame the WebSocket sends, given only after Kafka acknowledged (202), else 503."""

from collections.abc import Awaitable, Callable

from aiohttp import web

from connectors.base import Connector
from connectors.webchat import frames, origin
from connectors.webchat.config import WebChatConfig
from connectors.webchat.metrics import Rejection, webchat_metrics
from connectors.webchat.ratelimit import BucketMap
from connectors.webchat.session import ChatSession, draft
from intake.errors import KafkaUnavailable
from intake.http import state
from intake.http.problems import problem
from intake.message import Channel
from intake.metrics import Outcome

PATH = "/v1/chat/messages"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def routes(connector: Connector[WebChatConfig], config: WebChatConfig) -> list[web.RouteDef]:
    buckets = BucketMap(config.message_rate_per_s, config.message_burst, config.rest_sessions)

    async def post(request: web.Request) -> web.StreamResponse:
        if not origin.allowed(request, config):
            return origin.refuse(request)
        response = await _handle(request, config, buckets, connector.name)
        response.headers.update(origin.cors_headers(request))
        return response

    async def preflight(request: web.Request) -> web.StreamResponse:
        if not origin.allowed(request, config):
            return origin.refuse(request)
        headers = origin.cors_headers(request) | {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": "600",
        }
        return web.Response(status=204, headers=headers)

    return [web.post(PATH, post), web.options(PATH, preflight)]


def _bad(status: int, slug: str, title: str, detail: str) -> web.Response:
    return problem(status, slug, title, detail, instance=PATH)


async def _handle(
    request: web.Request, config: WebChatConfig, buckets: BucketMap, source: str
) -> web.Response:
    chat = webchat_metrics(request.app[state.METRICS].registry)
    declared = request.content_length or 0
    body = b"" if declared > config.max_frame_bytes else await request.read()
    if declared > config.max_frame_bytes or len(body) > config.max_frame_bytes:
        chat.rejected.labels(Rejection.TOO_LARGE.value).inc()
        detail = f"a chat message is at most {config.max_frame_bytes} bytes"
        return _bad(413, "payload-too-large", "Payload Too Large", detail)
    try:
        frame = frames.decode(body)
    except frames.BadFrame as exc:
        chat.rejected.labels(Rejection.BAD_FRAME.value).inc()
        status = 400 if exc.code == "not_json" else 422
        return _bad(status, "invalid-frame", "Invalid chat frame", str(exc))
    if not isinstance(frame, frames.MessageFrame):
        return _not_a_message(frame)
    if not (frame.session_id and frame.visitor_id):
        detail = "a REST message names its session_id and visitor_id"
        return _bad(422, "invalid-frame", "Invalid chat frame", detail)
    bucket = buckets.get(frame.session_id)
    if not bucket.take():
        chat.rejected.labels(Rejection.RATE_LIMITED.value).inc()
        response = _bad(429, "rate-limited", "Too Many Requests", "slow down")
        response.headers["Retry-After"] = str(max(1, round(bucket.retry_after_s())))
        return response
    return await _deliver(request, frame, config, source)


def _not_a_message(frame: frames.Frame) -> web.Response:
    if isinstance(frame, frames.PingFrame):
        return web.json_response({"type": "pong"})
    if isinstance(frame, frames.TypingFrame | frames.PresenceFrame):
        return web.Response(status=204)  # accepted, never routed
    detail = "over REST, send identity fields (email, order_number, name) with each message"
    return _bad(422, "invalid-frame", "Invalid chat frame", detail)


async def _deliver(
    request: web.Request, frame: frames.MessageFrame, config: WebChatConfig, source: str
) -> web.Response:
    app = request.app
    session = ChatSession(session_id=frame.session_id, visitor_id=frame.visitor_id)
    item = draft(frame, session, config.tenant, config.brand)
    try:
        (stored,) = await app[state.SINK].deliver([item], source)
    except KafkaUnavailable as exc:
        app[state.METRICS].count(Channel.WEBCHAT, Outcome.UNAVAILABLE)
        response = _bad(503, "kafka-unavailable", "Service Unavailable", f"{exc}; resend")
        response.headers["Retry-After"] = str(app[state.SETTINGS].retry_after_s)
        return response
    app[state.METRICS].count(Channel.WEBCHAT, Outcome.ACCEPTED)
    return web.json_response(frames.ack(frame.client_id, stored.message_id), status=202)
