"""SMTP receiver (aiosmtpd), for an MTA that relays a support address to omniroute.

The 250 after DATA is the acknowledgement: it is sent only after Kafka acknowledged. When Kafka
is down we answer 451 4.3.0, a temporary failure, so the relaying MTA keeps the mail in its
queue and retries: nothing is lost and nothing needs a local spool. Oversized DATA gets aiosmtpd's
552. The server runs on the caller's event loop (not aiosmtpd's threaded Controller), because the
Kafka producer behind the sink belongs to that loop.
"""

import asyncio
import logging
from typing import TYPE_CHECKING

from aiosmtpd.smtp import SMTP, Envelope, Session

from connectors.email.ingest import ingest
from intake.errors import KafkaUnavailable
from intake.sink import Sink

if TYPE_CHECKING:
    from connectors.email.connector import EmailConnector

log = logging.getLogger(__name__)

SOURCE = "email-smtp"
TEMPFAIL = "451 4.3.0 Message not accepted yet: Kafka unavailable, try again later"
# aiosmtpd keeps every RCPT of a transaction in memory without a limit. RFC 5321 4.5.3.1.8
# asks servers to take at least 100; past our bound the client gets 452 and sends the rest in
# another transaction (4.5.3.1.10), so nothing is lost and a session's memory stays bounded.
MAX_RECIPIENTS = 1000
TOO_MANY = "452 4.5.3 Too many recipients"


class IntakeHandler:
    """aiosmtpd handler hooks (duck-typed by name)."""

    def __init__(self, connector: "EmailConnector", sink: Sink) -> None:
        self.connector = connector
        self.sink = sink
        self.domains = {d.lower() for d in connector.config.smtp_recipient_domains}

    async def handle_RCPT(  # hook name fixed by aiosmtpd
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.domains and address.rpartition("@")[2].lower() not in self.domains:
            return "550 5.1.1 Recipient not accepted here"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return TOO_MANY
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # hook name fixed by aiosmtpd
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        if isinstance(envelope.content, bytes) and not raw:
            raw = envelope.content
        context = {
            "envelope_from": str(envelope.mail_from or "")[:320],
            "envelope_to": ",".join(envelope.rcpt_tos)[:1024],
        }
        try:
            delivered = await ingest(self.connector, self.sink, raw, SOURCE, context)
        except KafkaUnavailable as exc:
            log.warning("smtp: %s; answered 451", exc)
            return TEMPFAIL
        except Exception:
            # Unknown failure: a temporary error keeps the mail in the sender's queue.
            log.exception("smtp: delivery failed; answered 451")
            return "451 4.3.0 Temporary failure, try again later"
        if delivered.deadlettered:
            return "250 2.6.0 Kept for review (not parseable as mail)"
        ids = ",".join(a.message_id for a in delivered.acks)
        return f"250 2.0.0 OK queued as {ids}"


async def start_smtp(
    connector: "EmailConnector", sink: Sink, host: str | None = None, port: int | None = None
) -> asyncio.Server:
    """Bind and start serving; the caller closes the returned server."""
    config = connector.config
    loop = asyncio.get_running_loop()
    # aiosmtpd logs every command line with the peer address at INFO ("mail.log"): per-mail
    # noise with envelope addresses in it. Its warnings and errors still come through.
    logging.getLogger("mail.log").setLevel(max(logging.WARNING, logging.root.level))
    handler = IntakeHandler(connector, sink)

    def factory() -> SMTP:
        return SMTP(
            handler,
            data_size_limit=config.smtp_max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=config.smtp_hostname,
            ident="omniroute ESMTP",
            timeout=300,
            loop=loop,
        )

    return await loop.create_server(
        factory,
        host=host if host is not None else config.smtp_host,
        port=port if port is not None else config.smtp_port,
    )


async def serve_smtp(connector: "EmailConnector", sink: Sink) -> None:
    server = await start_smtp(connector, sink)
    bound = ", ".join(str(s.getsockname()) for s in server.sockets)
    log.info("smtp receiver listening on %s", bound)
    try:
        await server.serve_forever()
    finally:
        server.close()
        await server.wait_closed()
