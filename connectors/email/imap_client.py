"""A small typed facade over aioimaplib: only the commands the reader needs, results checked.

Why aioimaplib and not stdlib imaplib in a thread: the reader lives on the same event loop as
the Kafka producer, IDLE (RFC 2177) is built in (stdlib imaplib has no IDLE before 3.14), and a
cancelled task stops an async client cleanly, where a thread blocked in a socket read cannot be
interrupted. aioimaplib ships no type information, so it is confined to this module.
"""

import asyncio
import contextlib
import re
import ssl
from typing import Any

import aioimaplib  # type: ignore[import-untyped]

from connectors.email.config import EmailConfig, ImapSecurity
from intake.errors import OmnirouteError

_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]", re.IGNORECASE)


class ImapError(OmnirouteError):
    """The IMAP server refused a command or the connection failed; reconnect and retry."""

    retriable = True


def quote(name: str) -> str:
    """An IMAP quoted string (mailbox names may contain spaces)."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lines(response: Any, what: str) -> list[bytes]:
    lines = [bytes(x) for x in response.lines]
    if response.result != "OK":
        detail = lines[-1].decode("utf-8", "replace") if lines else ""
        raise ImapError(f"IMAP {what} failed: {response.result} {detail}")
    return lines


class ImapSession:
    def __init__(self, timeout: float) -> None:
        self._client: Any = None
        self._timeout = timeout
        # Set by aioimaplib when the socket closes: an IDLE wait would otherwise only notice a
        # dead connection when its timeout runs out.
        self.lost = asyncio.Event()

    def _connection_lost(self, exc: Exception | None) -> None:
        self.lost.set()

    @classmethod
    async def open(cls, config: EmailConfig) -> "ImapSession":
        timeout = config.imap_timeout_s
        session = cls(timeout)
        tls = ssl.create_default_context() if config.imap_security is ImapSecurity.TLS else None
        # The base class speaks implicit TLS given a context; IMAP4_SSL would drop the callback.
        client = aioimaplib.IMAP4(
            config.imap_host,
            config.imap_port,
            timeout=timeout,
            conn_lost_cb=session._connection_lost,
            ssl_context=tls,
        )
        session._client = client
        try:
            await client.wait_hello_from_server()
            password = config.imap_password.get_secret_value()
            _lines(await client.login(config.imap_user, password), "LOGIN")
        except BaseException:
            await session.close()
            raise
        return session

    def has(self, capability: str) -> bool:
        return bool(self._client.has_capability(capability))

    async def select(self, mailbox: str) -> int:
        """SELECT (read-write: we set flags) and return UIDVALIDITY."""
        lines = _lines(await self._client.select(quote(mailbox)), "SELECT")
        for line in lines:
            found = _UIDVALIDITY.search(line)
            if found:
                return int(found.group(1))
        raise ImapError("SELECT response without UIDVALIDITY")

    async def create(self, mailbox: str) -> None:
        """Create a mailbox if it is missing (NO means it exists, which is fine)."""
        await self._client.create(quote(mailbox))

    async def uids_after(self, last_uid: int, skip_keyword: str | None) -> list[int]:
        criteria = [f"UID {last_uid + 1}:*"]
        if skip_keyword:
            criteria += ["UNKEYWORD", skip_keyword]
        lines = _lines(await self._client.uid_search(*criteria, charset=None), "UID SEARCH")
        uids: set[int] = set()
        for line in lines[:-1]:  # the last line is the completion text
            tokens = line.split()
            if tokens and tokens[0].upper() == b"SEARCH":  # aioimaplib may strip the name
                tokens = tokens[1:]
            if all(tok.isdigit() for tok in tokens):
                uids.update(int(tok) for tok in tokens)
        # "n:*" always matches the highest UID, even one below n: filter.
        return sorted(u for u in uids if u > last_uid)

    async def fetch(self, uid: int) -> bytes | None:
        """The whole message, without setting \\Seen (PEEK); None if it vanished."""
        response = await self._client.uid("fetch", str(uid), "(BODY.PEEK[])")
        _lines(response, "UID FETCH")
        previous = b""
        for item in response.lines:
            if isinstance(item, bytearray) and b"BODY[]" in previous.upper():
                return bytes(item)
            previous = bytes(item)
        return None

    async def flag(self, uid: int, flag: str) -> None:
        response = await self._client.uid("store", str(uid), "+FLAGS.SILENT", f"({flag})")
        _lines(response, "UID STORE")

    async def move(self, uid: int, mailbox: str) -> None:
        if self.has("MOVE"):
            _lines(await self._client.uid("move", str(uid), quote(mailbox)), "UID MOVE")
            return
        _lines(await self._client.uid("copy", str(uid), quote(mailbox)), "UID COPY")
        await self.flag(uid, "\\Deleted")
        if self.has("UIDPLUS"):
            _lines(await self._client.uid("expunge", str(uid)), "UID EXPUNGE")
        else:
            _lines(await self._client.expunge(), "EXPUNGE")

    async def wait_for_change(self, idle_timeout: float, poll_interval: float) -> None:
        """Return when the mailbox may have changed: an IDLE push, or the poll interval."""
        if not self.has("IDLE"):
            await asyncio.sleep(poll_interval)
            return
        queue = self._client.protocol.idle_queue
        while not queue.empty():  # pushes left over from an earlier IDLE are stale
            queue.get_nowait()
        idle = await self._client.idle_start(timeout=idle_timeout)
        push = asyncio.ensure_future(self._client.wait_server_push(timeout=idle_timeout + 5))
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            await asyncio.wait({push, lost}, return_when=asyncio.FIRST_COMPLETED)
            if self.lost.is_set():
                raise ImapError("IMAP connection lost during IDLE")
        finally:
            for task in (push, lost):
                task.cancel()
            await asyncio.gather(push, lost, return_exceptions=True)
            if not self.lost.is_set():
                if self._client.has_pending_idle():
                    self._client.idle_done()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(idle, self._timeout)
            else:
                idle.cancel()

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._client.logout(), 5)
        transport = getattr(self._client.protocol, "transport", None)
        if transport is not None:
            transport.close()
        task = getattr(self._client, "_client_task", None)
        if task is not None and not task.done():
            task.cancel()
