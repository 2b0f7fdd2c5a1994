"""YAML with positions: the data plus, for every key and list item, the file and line it came
from, so a pydantic error location (`('rules', 3, 'keywords')`) can be reported as
`routing.yaml:41`. Also catches what PyYAML lets pass silently: a key given twice."""

from dataclasses import dataclass, field
from typing import Any

import yaml

from intake.errors import ConfigError
from router.config.routing import Loc, render_loc


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    line: int  # 1-based; 0 when unknown
    key: str  # e.g. rules[3].keywords; empty for the whole document
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigProblems(ConfigError):
    """Every problem found, not just the first: a platform team fixes them in one round."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


@dataclass(slots=True)
class Located:
    data: Any
    file: str
    marks: dict[Loc, int] = field(default_factory=dict)  # location -> 1-based line

    def line(self, loc: Loc) -> int:
        """Line of the longest known prefix of `loc` (pydantic appends parts like '[key]')."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.marks:
                return self.marks[loc[:end]]
        return 0


def _walk(node: yaml.Node, path: Loc, doc: Located, problems: list[Problem]) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            here = (*path, key)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(doc.file, line, render_loc(here), "key given twice"))
            seen.add(key)
            doc.marks.setdefault(here, line)
            _walk(value_node, here, doc, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.marks[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), doc, problems)


def compose(text: str, origin: str) -> Located:
    """Parse one YAML document; raises `ConfigProblems` for syntax errors and repeated keys."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # rejects control characters already (ReaderError)
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise ConfigProblems([Problem(origin, line, "", f"invalid YAML: {reason}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    doc = Located(data, origin, {(): 1})
    problems: list[Problem] = []
    if node is not None:
        _walk(node, (), doc, problems)
    if problems:
        raise ConfigProblems(problems)
    return doc


# Top-level lists that several files may each contribute to (a team per file of rules).
CONCATENATED = ("departments", "rules")


def merge(docs: list[Located]) -> tuple[dict[str, Any], dict[Loc, tuple[str, int]]]:
    """One mapping from several files: the lists in CONCATENATED are joined in file order,
    every other top-level key may be set by one file only."""
    data: dict[str, Any] = {}
    marks: dict[Loc, tuple[str, int]] = {}
    owner: dict[str, Located] = {}
    problems: list[Problem] = []
    for doc in docs:
        if doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(doc.file, 1, "", "expected a mapping at the top level"))
            continue
        offsets = {k: len(data.get(k) or ()) for k in CONCATENATED}
        for key, value in doc.data.items():
            if key in CONCATENATED and isinstance(value, list) and key not in owner:
                data.setdefault(key, []).extend(value)
            elif key in data:
                first = owner.get(key)
                where = f" (also in {first.file})" if first else ""
                problems.append(Problem(doc.file, doc.line((key,)), str(key), f"set twice{where}"))
            else:
                data[key], owner[key] = value, doc
        for loc, line in doc.marks.items():
            shifted = loc
            if len(loc) >= 2 and loc[0] in offsets and isinstance(loc[1], int):
                shifted = (loc[0], loc[1] + offsets[str(loc[0])], *loc[2:])
            marks.setdefault(shifted, (doc.file, line))
    if problems:
        raise ConfigProblems(problems)
    return data, marks
