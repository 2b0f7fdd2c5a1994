"""A real Dovecot IMAP server for the email tests (Debian package dovecot-imapd).

Started per test from a minimal config in a temp dir (127.0.0.1 on a free port, passwd-file +
static userdb, maildir, no TLS) as `dovecot -F -c CONF`, and stopped afterwards.
"""

import contextlib
import imaplib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from connectors.email.config import EmailConfig
from connectors.email.imap_client import ImapSession
from tests.integration.requires import require_binary

USER, PASSWORD = "support", "imap-test-password"
MAIL_UID = 65534  # nobody: Dovecot refuses mail access as root


@dataclass
class Dovecot:
    port: int
    root: Path
    binary: str
    proc: "subprocess.Popen[bytes] | None" = None

    def start(self) -> None:
        conf = self.root / "dovecot.conf"
        self.proc = subprocess.Popen([self.binary, "-F", "-c", str(conf)])
        _wait_ready(self.port, self.proc, self.root)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None

    @contextlib.contextmanager
    def _imap(self) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        try:
            yield client
        finally:
            client.logout()

    def append(self, *mails: bytes, mailbox: str = "INBOX") -> None:
        with self._imap() as client:
            for raw in mails:
                client.append(mailbox, None, None, raw)

    def flags(self, mailbox: str = "INBOX") -> list[bytes]:
        """FLAGS of every message in `mailbox` (one entry per message)."""
        with self._imap() as client:
            if client.select(mailbox)[1][0] == b"0":
                return []
            return [x for x in client.fetch("1:*", "(FLAGS)")[1] if isinstance(x, bytes)]


def _config(root: Path, port: int) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
ssl = no
disable_plaintext_auth = no
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={MAIL_UID} gid={MAIL_UID} home={root}/home/%u
}}
"""


def _wait_ready(port: int, proc: "subprocess.Popen[bytes]", root: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((root / "dovecot.log").read_text(errors="replace")[-2000:])
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1) as s:
            if s.recv(100).startswith(b"* OK"):
                return
        time.sleep(0.1)
    raise RuntimeError("dovecot did not start listening")


@pytest.fixture(name="dovecot")
def dovecot_server() -> Iterator[Dovecot]:
    binary = require_binary("dovecot", "dovecot-imapd")
    # Not under pytest's tmp_path: its parents are root-only and the mail processes run as
    # an unprivileged user that must reach the maildir.
    root = Path(tempfile.mkdtemp(prefix="omr-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir()
    (root / "home").chmod(0o777)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    (root / "dovecot.conf").write_text(_config(root, port))
    server = Dovecot(port, root, binary)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


async def test_dovecot_speaks_what_the_reader_uses(dovecot: Dovecot) -> None:
    config = EmailConfig.model_validate(
        {"imap_port": dovecot.port, "imap_security": "none", "imap_user": USER}
        | {"imap_password": PASSWORD}
    )
    session = await ImapSession.open(config)
    try:
        assert session.has("IDLE") and session.has("MOVE") and session.has("UIDPLUS")
        assert await session.select("INBOX") > 0
        assert await session.uids_after(0, None) == []
    finally:
        await session.close()
