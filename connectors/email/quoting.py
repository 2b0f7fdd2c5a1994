"""Separating what the customer just wrote from quoted history and signatures.

The classifier must judge the new text: a reply quoting our own "your refund was approved"
mail must not look like a refund request. Clients mark quotes differently, so we look for the
first reply header (Gmail/Apple "On ... wrote:", Outlook "-----Original Message-----" or a
"From: / Sent:" block, QQ/Foxmail "原始邮件", Chinese "在 ... 写道："), then treat ">" lines,
then cut a "-- " signature (RFC 3676) and mobile "Sent from my ..." trailers.
"""

import re
from dataclasses import dataclass

_WROTE = re.compile(
    r"^\s*(?:on\b.{0,300}\bwrote|am\b.{0,300}\bschrieb\b.{0,200}|le\b.{0,300}\ba écrit"
    r"|在.{0,300}写道)"
    r"\s*[:：]\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|ursprüngliche nachricht|原始邮件|原始郵件"
    r"|message d'origine)"
    r"\s*-{2,}|-{2,}\s*forwarded message\s*-{2,}|begin forwarded message:"
    r"|-{5,}\s*(?:原始邮件|original)\b.*)\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(r"forward|begin forwarded", re.IGNORECASE)
_FROM = re.compile(r"^\s*\**(?:from|von|发件人|寄件者|de)\s*\**\s*[:：]", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\**(?:sent|date|gesendet|发送时间|日期|寄件日期|envoyé|to|subject|收件人|主题)\s*\**\s*[:：]",
    re.IGNORECASE,
)
_RULE = re.compile(r"^\s*_{10,}\s*$")
_SIG = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \w+|sent from (?:outlook|mail) for \w+|get outlook for \w+"
    r"|发自我的\w+|从我的\w+发送)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Split:
    text: str
    quoted: str | None
    forwarded: bool = False


def _header_at(lines: list[str]) -> tuple[int, bool] | None:
    """Index of the first reply/forward header line, and whether it is a forward."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if _WROTE.match(line):
            return i, False
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and _WROTE.match(f"{line} {nxt}"):  # "On ..., X\n<x@y> wrote:"
            return i, False
        if _ORIGINAL.match(line):
            return i, bool(_FORWARD.search(line))
        if _RULE.match(line) and any(_FROM.match(x) for x in lines[i + 1 : i + 3]):
            return i, False
        if _FROM.match(line) and sum(bool(_SENT.match(x)) for x in lines[i + 1 : i + 5]) >= 2:
            return i, False
    return None


def _signature_at(lines: list[str]) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if _SIG.match(lines[i]):
            return i
    tail = [i for i in range(len(lines)) if lines[i].strip()][-3:]
    for i in tail:
        if _MOBILE.match(lines[i]):
            return i
    return None


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n")


def split_reply(body: str) -> Split:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found = _header_at(lines)
    head, rest = (lines, []) if found is None else (lines[: found[0]], lines[found[0] :])
    forwarded = found is not None and found[1]
    new: list[str] = []
    quoted: list[str] = []
    if rest:
        following = [x for x in rest[1:8] if x.strip()]
        if following and following[0].lstrip().startswith(">"):
            # Bottom-posting or inline answers below a header: the ">" lines are the quote and
            # the rest is new, so fall through to the per-line rule for the whole tail.
            quoted.append(rest[0])
            head = head + rest[1:]
        else:
            quoted = rest
    for line in head:
        (quoted if line.lstrip().startswith(">") else new).append(line)
    sig = _signature_at(new)
    if sig is not None:
        quoted = new[sig:] + quoted
        new = new[:sig]
    text = _join(new)
    quote = _join(quoted)
    if not text.strip() and forwarded:
        return Split(text=_join(lines), quoted=None, forwarded=True)
    return Split(text=text, quoted=quote or None, forwarded=forwarded)
