"""`CallRecord`: what any PBX tells us about one call, and its one mapping to a MessageDraft,
so the three connectors cannot drift apart in how a call becomes a message."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pydantic import ValidationError

from connectors.phone import metadata as md
from connectors.phone.config import PhoneConfig
from connectors.phone.normalise import Direction, Disposition, clean_number, iso, kind_for, to_e164
from intake.errors import InvalidInput
from intake.message import Channel, Customer, MessageDraft, MetadataValue, Thread


@dataclass(frozen=True, slots=True)
class CallRecord:
    pbx: str
    channel_message_id: str
    call_id: str
    disposition: Disposition
    disposition_raw: str
    direction: Direction = Direction.INBOUND
    caller: str | None = None
    caller_name: str | None = None
    callee: str | None = None
    queue: str | None = None
    context: str | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    ring_seconds: float | None = None
    talk_seconds: float | None = None
    duration_seconds: float | None = None
    recording_ref: str | None = None
    transcript_ref: str | None = None
    transcript: str | None = None
    extra: Mapping[str, MetadataValue] = field(default_factory=dict)


def to_draft(record: CallRecord, config: PhoneConfig) -> MessageDraft:
    """Raises InvalidInput when the record cannot form a valid draft (e.g. an id too long)."""
    region = config.default_region
    caller_e164 = to_e164(record.caller, region)
    callee_e164 = to_e164(record.callee, region)
    caller = caller_e164 or clean_number(record.caller)
    callee = callee_e164 or clean_number(record.callee)
    inbound = record.direction is Direction.INBOUND
    # The customer is whoever is not us: the caller of an inbound call, the callee of ours.
    customer_number = caller if inbound else callee
    name = record.caller_name if inbound else None
    meta: dict[str, MetadataValue] = {
        md.PBX: record.pbx,
        md.CALL_ID: record.call_id,
        md.DIRECTION: record.direction.value,
        md.DISPOSITION: record.disposition.value,
        md.DISPOSITION_RAW: record.disposition_raw,
        md.CALLER: caller,
        md.CALLEE: callee,
        md.CALLER_E164_VALID: caller_e164 is not None if caller else None,
        md.QUEUE: record.queue,
        md.DEPARTMENT_HINT: _department(record, callee_e164, config),
        md.STARTED_AT: iso(record.started_at),
        md.ANSWERED_AT: iso(record.answered_at),
        md.ENDED_AT: iso(record.ended_at),
        md.RING_SECONDS: record.ring_seconds,
        md.TALK_SECONDS: record.talk_seconds,
        md.DURATION_SECONDS: record.duration_seconds,
        md.RECORDING_REF: record.recording_ref,
        md.TRANSCRIPT_REF: record.transcript_ref,
        md.PBX_CONTEXT: record.context,
    }
    meta.update({k: v for k, v in record.extra.items() if v is not None and v != ""})
    try:
        return MessageDraft(
            channel=Channel.PHONE,
            channel_message_id=record.channel_message_id,
            kind=kind_for(record.disposition, record.direction),
            tenant=config.tenant,
            brand=config.brand,
            occurred_at=record.started_at or record.answered_at or record.ended_at,
            customer=Customer(phone=customer_number, name=_name(name, customer_number)),
            thread=Thread(conversation_id=record.call_id),
            text=record.transcript or "",
            metadata={k: v for k, v in meta.items() if v is not None and v != ""},
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"]) or "(root)"
        raise InvalidInput(
            f"call record does not fit the message contract: {where}: {first['msg']}"
        ) from None


def _name(name: str | None, number: str | None) -> str | None:
    """Caller-id names that only repeat the number (or are empty) carry nothing."""
    if not name or not name.strip():
        return None
    name = name.strip().strip('"').strip()
    if not name or name == number or clean_number(name) == number:
        return None
    return name[:256]


def _department(record: CallRecord, callee_e164: str | None, config: PhoneConfig) -> str | None:
    table = config.queue_departments
    for key in (record.queue, callee_e164, clean_number(record.callee), record.context):
        if key and key in table:
            return table[key]
    return None
