"""PBX-neutral vocabulary: dispositions, directions, phone numbers and times."""

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum

import phonenumbers

from intake.errors import InvalidInput
from intake.message import MessageKind


class Disposition(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"  # rang, nobody picked up
    ABANDONED = "abandoned"  # the caller hung up while ringing or waiting in a queue
    BUSY = "busy"
    FAILED = "failed"  # technical failure (congestion, rejected, unroutable)
    VOICEMAIL = "voicemail"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


# The customer tried to reach us and did not reach a person: someone must call back. A failed
# call is kept as a record only: failures are mostly routing/spam/congestion, which is SRE's
# business and would flood the callback queue.
_CALLBACK = frozenset(
    {Disposition.MISSED, Disposition.ABANDONED, Disposition.BUSY, Disposition.VOICEMAIL}
)


def kind_for(disposition: Disposition, direction: Direction) -> MessageKind:
    if direction is Direction.INBOUND and disposition in _CALLBACK:
        return MessageKind.CALLBACK_REQUEST
    return MessageKind.CALL_RECORD


# Caller-id placeholders PBXes and carriers use for withheld numbers.
_WITHHELD = frozenset(
    {"", "anonymous", "restricted", "unknown", "unavailable", "private", "withheld", "blocked"}
)
_URI_SCHEME = re.compile(r"^(sips?|tel):", re.IGNORECASE)


def clean_number(raw: str | None) -> str | None:
    """The number part of what a PBX reports (`sip:+4930123@host;user=phone` -> `+4930123`),
    or None for withheld / empty caller ids."""
    if raw is None:
        return None
    value = _URI_SCHEME.sub("", raw.strip())
    value = value.split("@", 1)[0].split(";", 1)[0].strip()
    if value.casefold() in _WITHHELD:
        return None
    return value


def to_e164(raw: str | None, region: str) -> str | None:
    """E.164 when libphonenumber can read the number as a possible phone number; internal
    extensions, SIP user names and Twilio `client:` ids give None."""
    value = clean_number(raw)
    if value is None or not any(ch.isdigit() for ch in value):
        return None
    try:
        parsed = phonenumbers.parse(value, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    # A number written nationally may just be an internal extension ("600" is a "possible"
    # German number), so it must be a valid number of the region; one written with its country
    # code only needs a plausible length (new ranges reach libphonenumber late).
    national = parsed.country_code_source == phonenumbers.CountryCodeSource.FROM_DEFAULT_COUNTRY
    if not (phonenumbers.is_valid_number(parsed) if national else _possible(parsed)):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _possible(parsed: phonenumbers.PhoneNumber) -> bool:
    return bool(phonenumbers.is_possible_number(parsed))


def seconds_between(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def from_epoch(value: float) -> datetime | None:
    """Epoch seconds -> aware UTC; PBXes write 0 for "never happened"."""
    if value <= 0:
        return None
    return datetime.fromtimestamp(value, UTC)


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def rfc2822(fields: Mapping[str, str], name: str) -> datetime | None:
    """An optional RFC 2822 date field (Twilio's format); InvalidInput when malformed."""
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a year like 99999999999
        raise InvalidInput(f"{name}: not an RFC 2822 date: {value!r}") from None
    if moment.tzinfo is None:
        raise InvalidInput(f"{name}: date without a zone: {value!r}")
    return moment


def seconds(fields: Mapping[str, str], name: str) -> float | None:
    """An optional non-negative number of seconds; InvalidInput when malformed."""
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise InvalidInput(f"{name}: not a number of seconds: {value!r}") from None
    if not 0 <= number < float("inf"):  # also rejects NaN
        raise InvalidInput(f"{name}: not a number of seconds: {value!r}")
    return number
