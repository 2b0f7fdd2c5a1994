"""One chat connection: read frames, route chat messages, ack them after Kafka did.

Back-pressure: at most `max_in_flight` messages wait for Kafka per connection; while they
do, the reader stops reading, so TCP pushes back on the browser instead of memory growing.
One delivery task sends what has queued as a batch, in order, so one visitor's lines reach
Kafka in the order typed.
"""

import asyncio
import contextlib
import logging
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from connectors.webchat import frames
from connectors.webchat.config import WebChatConfig
from connectors.webchat.metrics import Rejection, webchat_metrics
from connectors.webchat.ratelimit import TokenBucket
from connectors.webchat.session import ChatSession, draft
from intake.deadletter import DeadLetter, Stage
from intake.errors import KafkaUnavailable
from intake.http import state
from intake.message import Channel, MessageDraft
from intake.metrics import Outcome

log = logging.getLogger(__name__)
SOURCE = "webchat"
Pending = tuple[str, MessageDraft] | None  # None: the reader is done


class ChatConnection:
    def __init__(
        self,
        sock: web.WebSocketResponse,
        session: ChatSession,
        app: web.Application,
        config: WebChatConfig,
    ) -> None:
        self.sock, self.session, self.config = sock, session, config
        self.sink = app[state.SINK]
        self.metrics = app[state.METRICS]
        self.chat = webchat_metrics(self.metrics.registry)
        self.frame_bucket = TokenBucket(config.frame_rate_per_s, config.frame_burst)
        self.message_bucket = TokenBucket(config.message_rate_per_s, config.message_burst)
        self.slots = asyncio.Semaphore(config.max_in_flight)
        self.queue: asyncio.Queue[Pending] = asyncio.Queue()
        self.strikes = 0

    async def run(self) -> None:
        welcome: dict[str, Any] = {
            "type": "welcome",
            "session_id": self.session.session_id,
            "visitor_id": self.session.visitor_id,
            "max_frame_bytes": self.config.max_frame_bytes,
        }
        await self.send(welcome)
        delivery = asyncio.create_task(self._deliver_loop())
        self.chat.connections.inc()
        try:
            async for msg in self.sock:  # ends when the peer closes or the heartbeat fails
                if msg.type is WSMsgType.TEXT:
                    await self._on_text(msg.data)
                elif msg.type is WSMsgType.BINARY:
                    await self._reject(Rejection.BINARY, "send JSON text frames", raw=msg.data)
                if self.strikes >= self.config.abuse_limit:
                    self.chat.abuse_closes.inc()
                    await self.sock.close(code=WSCloseCode.POLICY_VIOLATION, message=b"abuse")
                    break
        finally:
            self.chat.connections.dec()
            # Messages already read are still delivered (the browser may resend them; the
            # same ids make that harmless), bounded by max_in_flight and the ack timeout.
            self.queue.put_nowait(None)
            await delivery

    async def send(self, frame: dict[str, Any]) -> None:
        if self.sock.closed:
            return
        # If the peer left, its unacked lines are resent by the widget under the same ids.
        with contextlib.suppress(ConnectionError, RuntimeError):
            await self.sock.send_str(frames.encode(frame))

    async def _on_text(self, data: str) -> None:
        raw = data.encode()
        if len(raw) > self.config.max_frame_bytes:
            return await self._reject(Rejection.TOO_LARGE, "frame exceeds the size limit")
        if not self.frame_bucket.take():
            return await self._reject(Rejection.RATE_LIMITED, "too many frames, slow down")
        try:
            frame = frames.decode(raw)
        except frames.BadFrame as exc:
            return await self._reject(Rejection.BAD_FRAME, str(exc), raw=raw, code=exc.code)
        if isinstance(frame, frames.PingFrame):
            await self.send({"type": "pong"})
        elif isinstance(frame, frames.IdentifyFrame):
            self.session.identify(frame)
            await self.send({"type": "identified"})
        elif isinstance(frame, frames.MessageFrame):
            await self._on_message(frame)
        # typing and presence frames are not routed: nobody needs a case for them
        return None

    async def _on_message(self, frame: frames.MessageFrame) -> None:
        if not self.message_bucket.take():
            retry = round(self.message_bucket.retry_after_s(), 1)
            detail = f"too many messages, resend in {retry}s"
            return await self._reject(Rejection.RATE_LIMITED, detail, client_id=frame.client_id)
        item = draft(frame, self.session, self.config.tenant, self.config.brand)
        await self.slots.acquire()  # full: stop reading until Kafka acked something
        self.queue.put_nowait((frame.client_id, item))
        return None

    async def _reject(
        self,
        reason: Rejection,
        detail: str,
        *,
        client_id: str | None = None,
        raw: bytes | None = None,
        code: str | None = None,
    ) -> None:
        self.strikes += 1
        self.chat.rejected.labels(reason.value).inc()
        await self.send(frames.error(code or reason.value, detail, client_id))
        if raw is not None:
            record = DeadLetter.of(
                raw,
                stage=Stage.CONNECTOR,
                reason_code=code or reason.value,
                reason=detail,
                source=SOURCE,
            )
            try:
                await self.sink.deadletter(record)
            except KafkaUnavailable:
                log.warning("webchat: deadletter not stored, Kafka unavailable")

    async def _deliver_loop(self) -> None:
        done = False
        while not done:
            first = await self.queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self.config.max_in_flight and not self.queue.empty():
                item = self.queue.get_nowait()
                if item is None:
                    done = True
                    break
                batch.append(item)
            try:
                await self._deliver(batch)
            finally:
                for _ in batch:
                    self.slots.release()

    async def _deliver(self, batch: list[tuple[str, MessageDraft]]) -> None:
        try:
            acks = await self.sink.deliver([d for _, d in batch], SOURCE)
        except Exception as exc:  # KafkaUnavailable, or a bug: never leave the reader blocked
            if not isinstance(exc, KafkaUnavailable):
                log.exception("webchat: delivery failed")
            self.metrics.count(Channel.WEBCHAT, Outcome.UNAVAILABLE, len(batch))
            self.chat.rejected.labels(Rejection.UNAVAILABLE.value).inc(len(batch))
            for client_id, _ in batch:
                await self.send(frames.error("unavailable", "not stored yet, resend", client_id))
            return
        self.metrics.count(Channel.WEBCHAT, Outcome.ACCEPTED, len(batch))
        for (client_id, _), stored in zip(batch, acks, strict=True):
            await self.send(frames.ack(client_id, stored.message_id))
