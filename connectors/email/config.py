"""Email connector settings. Environment: `OMNIROUTE_EMAIL_*` (e.g. OMNIROUTE_EMAIL_IMAP_HOST)."""

import re
from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from connectors.base import ConnectorConfig

# At least one digit in the captured token, so "order status" or "order number is" never yield
# an order number; `订单` has no \b because CJK characters are word characters on both sides.
DEFAULT_ORDER_REGEX = (
    r"(?:\border|订单|訂單|注文)\s*(?:no\.?|number|num|#|号|號|编号|編號|番号)?\s*(?:is\s+)?"
    r"[:：]?\s*#?\s*((?=[A-Z-]*[0-9])[A-Z0-9][A-Z0-9-]{4,19})\b"
)


class AfterAck(StrEnum):
    """What the IMAP reader does to a message once Kafka acknowledged it."""

    FLAG = "flag"  # add `imap_flag` (\\Seen or a custom keyword)
    MOVE = "move"  # move it to `imap_move_to`


class ImapSecurity(StrEnum):
    NONE = "none"  # plain TCP: only for a server on the same host or a test
    TLS = "tls"  # implicit TLS (IMAPS, port 993)


class EmailConfig(ConnectorConfig):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_EMAIL_", frozen=True, extra="ignore")

    tenant: str = Field("default", min_length=1, description="Tenant the mailbox belongs to")
    order_regex: str = Field(
        DEFAULT_ORDER_REGEX,
        description="Case-insensitive regex for order numbers in subject/body; group 1 = number",
    )
    max_message_bytes: int = Field(
        26_214_400, ge=1024, description="Largest raw message parsed (bigger is deadlettered)"
    )
    max_depth: int = Field(20, ge=1, le=100, description="Deepest MIME nesting walked")
    max_parts: int = Field(500, ge=1, le=10_000, description="Most MIME parts walked per message")
    max_text_chars: int = Field(
        100_000, ge=1000, le=200_000, description="Decoded text kept per message (text + quoted)"
    )

    imap_enabled: bool = Field(False, description="Run the IMAP mailbox reader in `run`")
    imap_host: str = Field("127.0.0.1", description="IMAP server host")
    imap_port: int = Field(993, ge=1, le=65535, description="IMAP server port")
    imap_security: ImapSecurity = Field(ImapSecurity.TLS, description="none or tls (IMAPS)")
    imap_user: str = Field("", description="IMAP login name")
    imap_password: SecretStr = Field(SecretStr(""), description="IMAP password")
    imap_mailbox: str = Field("INBOX", description="Mailbox to read")
    imap_after_ack: AfterAck = Field(AfterAck.FLAG, description="flag or move after Kafka ack")
    imap_flag: str = Field("\\Seen", description="Flag or keyword set after ack (flag mode)")
    imap_move_to: str = Field("Processed", description="Target mailbox (move mode)")
    imap_checkpoint: Path = Field(
        Path("email-imap.checkpoint.json"), description="File holding UIDVALIDITY and last UID"
    )
    imap_poll_interval_s: float = Field(
        30.0, gt=0, description="Polling interval when the server has no IDLE"
    )
    imap_idle_timeout_s: float = Field(
        600.0, gt=0, le=1740, description="Re-issue IDLE after this long (RFC 2177: < 29 min)"
    )
    imap_batch: int = Field(50, ge=1, le=1000, description="UIDs fetched per round")
    imap_timeout_s: float = Field(60.0, gt=0, description="Timeout of one IMAP command")

    smtp_enabled: bool = Field(False, description="Run the SMTP receiver in `run`")
    smtp_host: str = Field("127.0.0.1", description="Address the SMTP receiver binds to")
    smtp_port: int = Field(2525, ge=0, le=65535, description="SMTP port (0 = any free port)")
    smtp_max_bytes: int = Field(
        26_214_400, ge=1024, description="SMTP SIZE limit; larger DATA is answered 552"
    )
    smtp_hostname: str = Field("omniroute", description="Name in the SMTP greeting")
    smtp_recipient_domains: tuple[str, ...] = Field(
        (), description="Accepted RCPT domains (empty = any); others get 550"
    )
    retry_backoff_max_s: float = Field(
        60.0, gt=0, description="Longest wait between retries when IMAP or Kafka is down"
    )

    @field_validator("order_regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"order_regex does not compile: {exc}") from exc
        return value
