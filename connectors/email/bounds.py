"""Bounding the work the stdlib MIME parser does, before it runs.

`email.message_from_bytes` parses every part and header it finds, at a cost of milliseconds
per part with `policy.default`, however few of them the walk then reads. A 4 MB mail of 100,000
empty parts, or of 100,000 header fields, used to take minutes of CPU. Mail is attacker input,
so the input is cut first: after the line that would start part number `max_parts` (counted
generously by delimiter and Content-Type lines), after the 4 * `max_depth` + 20th container,
and after `MAX_HEADER_FIELDS` top-level header fields. The draft then says `truncated`.
"""

import re

# Postfix keeps at most 1000 header lines too (header_size_limit and friends); real mail has a
# few dozen, a long relay path perhaps a hundred.
MAX_HEADER_FIELDS = 1000

_CONTAINER = re.compile(
    rb"^content-type[ \t]*:[ \t]*(?:multipart|message)/", re.IGNORECASE | re.MULTILINE
)
_PART_LINE = re.compile(rb"^(?:--|content-type[ \t]*:)", re.IGNORECASE | re.MULTILINE)
_FIELD_START = re.compile(rb"\n(?=[^ \t\r\n])")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _cut_at(pattern: re.Pattern[bytes], raw: bytes, limit: int) -> tuple[bytes, bool]:
    for count, match in enumerate(pattern.finditer(raw), start=1):
        if count > limit:
            return raw[: match.start()], True
    return raw, False


def cut_parts(raw: bytes, max_parts: int, max_depth: int) -> tuple[bytes, bool]:
    """Each part costs at most a delimiter line, a close delimiter and a Content-Type line.
    Containers (multipart, message/rfc822) are bounded apart: every input line passes through
    each open level of the stdlib parser, so nesting multiplies the cost of everything below."""
    raw, many = _cut_at(_PART_LINE, raw, 3 * max_parts + 10)
    raw, deep = _cut_at(_CONTAINER, raw, 4 * max_depth + 20)
    return raw, many or deep


def cut_header_fields(raw: bytes, max_fields: int = MAX_HEADER_FIELDS) -> tuple[bytes, bool]:
    blank = _BLANK_LINE.search(raw)
    end = blank.start() if blank is not None else len(raw)
    for count, match in enumerate(_FIELD_START.finditer(raw, 0, end), start=2):
        if count > max_fields:
            return raw[: match.start() + 1] + raw[end:], True
    return raw, False


def bound(raw: bytes, max_parts: int, max_depth: int) -> tuple[bytes, bool]:
    raw, fewer_fields = cut_header_fields(raw)
    raw, fewer_parts = cut_parts(raw, max_parts, max_depth)
    return raw, fewer_fields or fewer_parts
