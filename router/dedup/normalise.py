"""The content of a message as the near-duplicate layer compares it.

The same complaint sent by email and by chat differs in everything but the complaint: case,
whitespace, full-width vs ASCII forms, quoted history, greetings, sign-offs and signatures.
Those are removed here, so that most real duplicates become *identical* strings and the
fingerprint's tolerance is only needed for what these rules miss. The email connector already
moves quotes and signatures to `quoted_text`; the line rules below are for the other channels
and for what a connector could not separate.
"""

import re
import unicodedata
from dataclasses import dataclass

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
CJK_WEIGHT = 3  # one CJK character carries about as much as three Latin letters
MAX_CHARS = 20_000  # a complaint is recognised by its beginning; bounds the work per message

_REPLY_HEADER = re.compile(
    r"^\s*(?:(?:on\b.{0,300}\bwrote|am\b.{0,300}\bschrieb|le\b.{0,300}\ba écrit|在.{0,300}写道)"
    r"\s*[:：]\s*$|-{2,}\s*(?:original message|forwarded message|原始邮件|原始郵件))",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^\s*(?:--|_{2,}|sent from my\b|sent from (?:outlook|mail)\b|get outlook for\b|发自我的"
    r"|从我的\S*发送)",
    re.IGNORECASE,
)
# A closing line ("Best regards,", "Thanks!", "谢谢") near the end starts the sign-off block.
_CLOSING_LINE = re.compile(
    r"^\s*(?:(?:best|kind|warm|many)?\s*(?:regards|wishes|thanks)|thank you|thx|cheers"
    r"|sincerely|yours\b.{0,20}|br|谢谢|多谢|感谢|此致.{0,4}|祝好)[\s,.!，。！]*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings|您好|你好|亲)"
    r"(?:\s+[^\s,，:：!！]{1,30}){0,3}\s*[,，:：!！.。]+\s*",
    re.IGNORECASE,
)
_TRAILING_THANKS = re.compile(
    r"(?:(?:^|[\s,.!，。！]+)(?:thanks?(?: you)?(?: (?:so|very) much)?|thx|cheers)"
    r"|[\s,.!，。！]*(?:谢谢您?|多谢|感谢))[\s,.!，。！]*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
# Letters and digits stay (\w, without "_"); punctuation, symbols and emoji go. Combining
# marks go too, which NFKC makes rare outside Indic scripts, and both sides lose them alike.
_PUNCTUATION = re.compile(r"[^\w\s]|_")


@dataclass(frozen=True, slots=True)
class Content:
    text: str  # normalised letters and digits, no spaces
    numbers: tuple[str, ...]  # distinct digit runs: order numbers, amounts, dates
    weight: int  # length with CJK characters counted CJK_WEIGHT times
    cjk: int = 0  # CJK characters in `text`


def _strip_lines(text: str) -> str:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if _REPLY_HEADER.match(line) or _SIGNATURE.match(line):
            break  # everything below a reply header or a signature marker is not new text
        if not line.lstrip().startswith(">"):
            kept.append(line)
    body = [i for i, line in enumerate(kept) if line.strip()]
    for i in body[-6:]:
        if i != body[0] and _CLOSING_LINE.match(kept[i]):
            kept = kept[:i]
            break
    return "\n".join(kept)


# The last word of every `_TRAILING_THANKS` alternative, casefolded: a cheap necessary
# condition (IGNORECASE equates exactly the characters casefold does for these letters).
_THANKS_ENDINGS = ("thank", "thanks", "you", "much", "thx", "cheers", "谢", "您")
_TRAILING_PUNCTUATION = ",.!，。！"


def _ends_with_thanks(tail: str) -> bool:
    core = tail
    while (stripped := core.rstrip().rstrip(_TRAILING_PUNCTUATION)) != core:
        core = stripped
    return core.casefold().endswith(_THANKS_ENDINGS)


def _strip_courtesy(text: str) -> str:
    text = text.strip()
    # Only the last 200 characters: an unanchored-start pattern scanned over a long run of
    # spaces would be quadratic, and a sign-off is never longer than that.
    head, tail = text[:-200], text[-200:]
    for _ in range(3):  # "您好，你好，..." and "..., thanks. 谢谢" stack up
        if not _ends_with_thanks(tail):
            break  # most messages: the pattern cannot match, and re would try every position
        tail = _TRAILING_THANKS.sub("", tail, count=1)
    stripped = head + tail
    for _ in range(3):
        stripped = _GREETING.sub("", stripped, count=1)
    return stripped if stripped.strip() else text  # a bare "thanks" stays itself


def normalise(text: str) -> Content:
    text = text[:MAX_CHARS]
    folded = unicodedata.normalize("NFKC", _strip_courtesy(_strip_lines(text))).casefold()
    spaced = _PUNCTUATION.sub("", folded)  # "49.99" and "49,99" are one amount: join digits
    # str.split() splits on exactly the characters re's \s matches (checked over all of
    # Unicode), at a fraction of the cost of a regex sub.
    compact = "".join(spaced.split())
    numbers = tuple(sorted(set(_DIGITS.findall(spaced))))
    cjk = 0 if compact.isascii() else len(CJK.findall(compact))
    return Content(compact, numbers, len(compact) + (CJK_WEIGHT - 1) * cjk, cjk)
