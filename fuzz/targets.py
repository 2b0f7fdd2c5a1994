"""Fuzz targets: one function per parser, taking bytes. A target raises only when the parser
broke its contract: an exception other than `InvalidInput` from the parser itself (the
connectors' safety nets are bypassed, so the real traceback shows), or a draft that does not
complete into a Message that survives serialisation. Importable without atheris: the
regression test replays kept crashers through these same functions."""

from collections.abc import Callable

from connectors.email.config import EmailConfig
from connectors.email.parser import parse_email
from connectors.phone.asterisk import AsteriskConfig, AsteriskConnector
from connectors.phone.asterisk_csv import call_record
from connectors.phone.freeswitch import FreeswitchConfig, FreeswitchConnector
from connectors.phone.record import to_draft
from connectors.phone.twilio import TwilioConfig, TwilioConnector
from connectors.social.config import MetaConfig, XConfig
from connectors.social.events import Batch
from connectors.social.meta import MetaConnector
from connectors.social.x import XConnector
from connectors.webchat.config import WebChatConfig
from connectors.webchat.connector import WebChatConnector
from intake import serde
from intake.complete import Completer
from intake.errors import InvalidInput
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft

COMPLETER = Completer(IdentityKeyer(b"fuzz-identity-secret"))
EMAIL = EmailConfig()
META = MetaConnector(MetaConfig(own_ids=("106000000000001",)))
X = XConnector(XConfig())
ASTERISK = AsteriskConnector(AsteriskConfig(default_region="DE"))
FREESWITCH = FreeswitchConnector(FreeswitchConfig(include_b_leg=True))
TWILIO = TwilioConnector(TwilioConfig())
WEBCHAT = WebChatConnector(WebChatConfig())


class ContractBroken(AssertionError):
    """A parser answered with something the contract does not allow."""


def _complete(drafts: list[MessageDraft]) -> None:
    for draft in drafts:
        message = COMPLETER.complete(draft, source="fuzz")
        if serde.loads(Message, serde.dumps(message)) != message:
            raise ContractBroken(f"message {message.id} changed in a serde round trip")


def _batch(read: Callable[[bytes], Batch], data: bytes) -> None:
    try:
        batch = read(data)
    except InvalidInput:
        return
    _complete(batch.result(data, "fuzz").drafts)


def mime(data: bytes) -> None:
    result = parse_email(data, EMAIL)  # the connector's catch-all is not in the way here
    if len(result.drafts) + (result.deadletter is not None) != 1:
        raise ContractBroken("a mail must give one draft or one deadletter")
    _complete(result.drafts)


def meta(data: bytes) -> None:
    _batch(META.read, data)


def x(data: bytes) -> None:
    _batch(X.read, data)


def asterisk(data: bytes) -> None:
    for line in data.split(b"\n")[:50]:
        if line.strip():
            try:
                _complete(
                    [to_draft(call_record(line.rstrip(b"\r"), ASTERISK.layout), ASTERISK.config)]
                )
            except InvalidInput:
                continue


def _plain(
    parse: Callable[[bytes, dict[str, str]], object], context: dict[str, str]
) -> Callable[[bytes], None]:
    def target(data: bytes) -> None:
        try:
            result = parse(data, context)
        except InvalidInput:
            return
        _complete(getattr(result, "drafts", []))

    return target


TARGETS: dict[str, Callable[[bytes], None]] = {
    "mime": mime,
    "meta": meta,
    "x": x,
    "asterisk": asterisk,
    "freeswitch": _plain(FREESWITCH.parse, {"content_type": "application/json"}),
    "twilio": _plain(TWILIO.parse, {"callback": "status", "query": "queue=q"}),
    "webchat": _plain(WEBCHAT.parse, {"session_id": "sess-000001"}),
}
# Fixture folders (tests/fixtures/<name>) that seed each target's corpus.
SEEDS: dict[str, tuple[str, ...]] = {
    "mime": ("email",),
    "meta": ("social",),
    "x": ("social",),
    "asterisk": ("phone",),
    "freeswitch": ("phone",),
    "twilio": ("phone",),
    "webchat": ("webchat",),
}
