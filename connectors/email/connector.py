"""The email connector: one parser, three ways in (IMAP reader, SMTP receiver, raw MIME POST).

`run` starts the pull paths that are enabled in the config; `routes` is the push path and is
mounted on the intake HTTP app. All three share `ingest.ingest`, so a mail yields the same
message id whichever way it arrives and the router's dedup absorbs a mail seen twice.
"""

import asyncio
import logging
from collections.abc import Mapping

from aiohttp import web

from connectors.base import Connector, ParseResult
from connectors.email.config import EmailConfig
from connectors.email.parser import SOURCE, parse_email
from intake.sink import Sink

log = logging.getLogger(__name__)


class EmailConnector(Connector[EmailConfig]):
    name = "email"
    config_model = EmailConfig

    def parse(self, raw: bytes, context: Mapping[str, str] | None = None) -> ParseResult:
        try:
            return parse_email(raw, self.config, context)
        except Exception as exc:  # total by contract: a bug costs one deadletter, not the loop
            log.exception("email parser failed")
            return ParseResult.failed(raw, SOURCE, "parser_error", f"{type(exc).__name__}: {exc}")

    def routes(self) -> list[web.RouteDef]:
        from connectors.email.http import raw_mail_route

        return [raw_mail_route(self)]

    async def run(self, sink: Sink) -> None:
        from connectors.email.imap import ImapReader
        from connectors.email.smtp import serve_smtp

        jobs = []
        if self.config.imap_enabled:
            jobs.append(ImapReader(self, sink).run())
        if self.config.smtp_enabled:
            jobs.append(serve_smtp(self, sink))
        if not jobs:
            log.warning("email connector: neither IMAP nor SMTP is enabled; nothing to run")
            return
        await asyncio.gather(*jobs)
