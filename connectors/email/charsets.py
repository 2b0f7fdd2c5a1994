"""Turning mail bytes into text without ever raising.

Real mail lies about its charset: GB2312 labels on GBK/GB18030 text, Big5 on HKSCS, ISO-8859-1
on Windows-1252 or on UTF-8, and 8-bit headers with no label at all. So a declared charset is a
hint: we map it to the superset actually used in the wild, prefer UTF-8 when the bytes are
valid UTF-8 (a multi-character legacy text is almost never valid UTF-8 by accident), then try
the declared charset, then detection, then a replacement decode that cannot fail.
"""

import codecs

from charset_normalizer import from_bytes

# Label -> codecs tried in order. Supersets first: decoding GB2312 as GB18030 and Shift_JIS as
# cp932 loses nothing for correct input and rescues the common mislabelled kind.
_SUPERSETS: dict[str, tuple[str, ...]] = {
    "gb2312": ("gb18030",),
    "gbk": ("gb18030",),
    "cp936": ("gb18030",),
    "euc-cn": ("gb18030",),
    "euccn": ("gb18030",),
    "x-gbk": ("gb18030",),
    "gb_2312-80": ("gb18030",),
    "chinese": ("gb18030",),
    "csgb2312": ("gb18030",),
    "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"),
    "x-big5": ("big5hkscs", "cp950"),
    "cn-big5": ("big5hkscs", "cp950"),
    "csbig5": ("big5hkscs", "cp950"),
    "big5-hkscs": ("big5hkscs", "cp950"),
    "shift_jis": ("cp932", "shift_jis"),
    "shift-jis": ("cp932", "shift_jis"),
    "sjis": ("cp932", "shift_jis"),
    "x-sjis": ("cp932", "shift_jis"),
    "ms_kanji": ("cp932", "shift_jis"),
    "windows-31j": ("cp932",),
    "iso-2022-jp": ("iso2022_jp_2", "iso2022_jp_ext"),
    "euc-kr": ("cp949",),
    "ks_c_5601-1987": ("cp949",),
    "iso-8859-1": ("cp1252", "latin-1"),
    "latin1": ("cp1252", "latin-1"),
    "us-ascii": ("cp1252", "latin-1"),
    "ascii": ("cp1252", "latin-1"),
    "ansi_x3.4-1968": ("cp1252", "latin-1"),
    "iso-8859-9": ("cp1254", "iso-8859-9"),
    "tis-620": ("cp874",),
    "iso-8859-11": ("cp874",),
}
# Labels that mean "no idea"; treated like a missing charset.
_UNKNOWN = {
    "", "unknown", "unknown-8bit", "x-unknown", "default", "charset", "none", "x-user-defined",
}  # fmt: skip
_DETECT_SAMPLE = 8_192
_SHORT = 200
_PREFERRED = (
    "gb18030", "big5", "big5hkscs", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr",
    "cp1252", "utf_16", "cp1251", "koi8_r", "cp1250", "iso8859_15", "cp1253", "cp1254",
)  # fmt: skip


def codecs_for(label: str | None) -> tuple[str, ...]:
    """Python codecs to try for a declared label; empty when the label is unknown or absent."""
    if label is None:
        return ()
    key = label.strip().strip("\"'").lower()
    if key in _UNKNOWN:
        return ()
    if key in _SUPERSETS:
        return _SUPERSETS[key]
    try:
        return (codecs.lookup(key).name,)
    except (LookupError, ValueError):
        return ()


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _try(data: bytes, names: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return None


def _sample(data: bytes) -> bytes:
    """The lines that carry non-ASCII bytes: they hold all the evidence, and detection time
    grows with the sample (an HTML part is mostly ASCII markup)."""
    if len(data) <= _DETECT_SAMPLE:
        return data
    picked: list[bytes] = []
    size = 0
    for line in data.splitlines(keepends=True):
        if not line.isascii():
            picked.append(line)
            size += len(line)
            if size >= _DETECT_SAMPLE:
                break
    return b"".join(picked)[:_DETECT_SAMPLE] or data[:_DETECT_SAMPLE]


def _detect(data: bytes) -> str | None:
    try:
        results = list(from_bytes(_sample(data)))
    except Exception:  # detection is a heuristic; it must never take the parser down
        return None
    if not results:
        return None
    if len(data) >= _SHORT:
        return str(results[0].encoding)
    # A header or a short line gives the detector little evidence and many charsets fit
    # equally well; among the equally plausible ones take the most common in mail.
    low = min(r.chaos for r in results)
    plausible = {str(r.encoding) for r in results if r.chaos <= low + 0.02}
    for name in _PREFERRED:
        if name in plausible:
            return name
    return str(results[0].encoding)


def _mostly(data: bytes, name: str) -> str | None:
    """A decode with a few bad bytes (a truncated or corrupted sequence) beats a detector's
    guess on the whole text: keep it when replacements are rare and the decoded non-ASCII
    text outnumbers them (Latin-1 read as UTF-8 turns *every* accent into a replacement)."""
    try:
        text = data.decode(name, errors="replace")
    except LookupError:
        return None
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return text if bad <= max(1, len(text) // 200) and good >= 4 * bad else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode `data`, using `declared` as a hint. Total: always returns a str."""
    if _is_ascii(data):
        return data.decode("ascii")
    names = codecs_for(declared)
    wide = any(n.startswith(("utf_16", "utf_32", "utf-16", "utf-32")) for n in names)
    if not wide:
        text = _utf8(data)
        if text is not None:
            return text
    text = _try(data, names)
    if text is None and names:
        text = _mostly(data, names[0])
    if text is None and not wide:
        text = _mostly(data, "utf-8")
    if text is None:
        detected = _detect(data)
        text = _try(data, (detected,)) if detected is not None else None
    if text is not None:
        return text
    fallback = names[0] if names else "cp1252"
    try:
        return data.decode(fallback, errors="replace")
    except LookupError:
        return data.decode("latin-1", errors="replace")


def decode_surrogates(value: str, declared: str | None = None) -> str:
    """Header and payload strings from the stdlib parser carry raw 8-bit bytes as surrogate
    escapes (it reads bytes as ASCII + surrogateescape); recover the bytes and decode them."""
    if value.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    try:
        raw = value.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", errors="replace").decode("utf-8")
    return decode(raw, declared)
