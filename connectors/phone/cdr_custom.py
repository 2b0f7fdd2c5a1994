"""Column layouts of Asterisk CSV CDR files.

`cdr_csv` (Master.csv) writes a fixed order; `loguniqueid`, `loguserfield` and `newcdrcolumns`
in cdr.conf's [csv] section append columns, so the layout mirrors those three switches.
`cdr_custom` writes whatever its mapping says, e.g.
`Master.csv => ${CSV_QUOTE(${CDR(clid)})},${CDR(start,f)},...`; we name each column after the
CDR field it holds, so the same line parser serves both.
"""

import re

MASTER_BASE = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
)
REQUIRED = ("disposition", "start")

_CDR_FIELD = re.compile(r"CDR\(\s*([A-Za-z0-9_-]+)")
_VARIABLE = re.compile(r"^\$\{([A-Za-z0-9_]+)\}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_]+$")


def master_columns(uniqueid: bool, userfield: bool, newcdrcolumns: bool) -> tuple[str, ...]:
    columns = list(MASTER_BASE)
    if uniqueid:
        columns.append("uniqueid")
    if userfield:
        columns.append("userfield")
    if newcdrcolumns:
        columns += ["peeraccount", "linkedid", "sequence"]
    return tuple(columns)


def mapping_columns(spec: str) -> tuple[str, ...]:
    """Column names from a cdr_custom mapping (with or without `Master.csv =>`) or from a plain
    comma-separated list of field names. Raises ValueError for a column it cannot name."""
    _, arrow, rhs = spec.partition("=>")
    body = (rhs if arrow else spec).strip()
    if not body:
        raise ValueError("empty cdr_custom mapping")
    names = [_column_name(i, part.strip()) for i, part in enumerate(_split_top_level(body))]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"columns named twice: {', '.join(duplicates)}")
    missing = [r for r in REQUIRED if r not in names]
    if missing:
        raise ValueError(f"mapping lacks required CDR fields: {', '.join(missing)}")
    return tuple(names)


def _column_name(index: int, part: str) -> str:
    found = _CDR_FIELD.search(part)
    if found:
        return found.group(1).lower()
    for pattern in (_VARIABLE, _PLAIN):
        match = pattern.match(part)
        if match:
            return (match.group(1) if match.groups() else match.group(0)).lower()
    raise ValueError(f"cannot tell which CDR field column {index + 1} holds: {part!r}")


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside ${...} and (...): `${CDR(start,f)}` is one column."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "({":
            depth += 1
        elif ch in ")}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts
