"""Loading routing YAML (one file, or a directory of them) into a validated `RoutingConfig`,
versioned by content hash, so every decision can name the exact configuration behind it.

Problems are reported all at once with file, line and key (`ConfigProblems`); nothing is
half-applied: either the whole configuration validates or the caller keeps the old one.
"""

import hashlib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from router.config.routing import LOCATED, Loc, RoutingConfig, problems, render_loc
from router.config.yamlmap import ConfigProblems, Located, Problem, compose, merge

DEFAULT_CONFIG = "routing.yaml"
# Rule-test files live next to the rules (`omniroute test-rules`), so a config directory
# skips them.
TESTS_SUFFIXES = ("_tests.yaml", "_tests.yml", ".tests.yaml", ".tests.yml")
BUILTIN_MODELS = ("builtin", "none")


def config_files(path: Path) -> list[Path]:
    """The YAML files a config path stands for, in the order they are merged."""
    if not path.is_dir():
        return [path]
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return [p for p in files if not p.name.endswith(TESTS_SUFFIXES)]


def content_version(sources: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    if len(sources) == 1:
        digest.update(sources[0][1].encode())  # one file: the hash of its bytes, as always
    else:
        for name, text in sources:
            digest.update(f"{Path(name).name}\0{text}\0".encode())
    return digest.hexdigest()[:12]


def _pydantic_problems(exc: ValidationError, marks: dict[Loc, tuple[str, int]]) -> list[Problem]:
    out = []
    for error in exc.errors(include_url=False):
        loc: Loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ").replace("valid tuple", "list")
        out.append(Problem(*_where(marks, loc), render_loc(loc), message))
    return out


def build(sources: list[tuple[str, str]], base_dir: Path | None = None) -> RoutingConfig:
    """Validate (origin, text) sources as one configuration."""
    docs: list[Located] = []
    failed: list[Problem] = []
    for origin, text in sources:
        try:
            docs.append(compose(text, origin))
        except ConfigProblems as exc:
            failed += exc.problems
    if failed:
        raise ConfigProblems(failed)
    data, marks = merge(docs)
    marks.setdefault((), (sources[0][0], 1))
    if not data:
        raise ConfigProblems([Problem(sources[0][0], 1, "", "expected a mapping at the top level")])
    data.pop("version", None)
    try:
        config = RoutingConfig.model_validate(data, context={LOCATED: True})
    except ValidationError as exc:
        raise ConfigProblems(_pydantic_problems(exc, marks)) from None
    found = problems(config)
    if found:
        raise ConfigProblems(
            [Problem(*_where(marks, loc), render_loc(loc), msg) for loc, msg in found]
        )
    update: dict[str, Any] = {"version": content_version(sources)}
    model = config.classifier.model
    if base_dir is not None and model not in BUILTIN_MODELS and not Path(model).is_absolute():
        classifier = config.classifier.model_copy(update={"model": str(base_dir / model)})
        update["classifier"] = classifier
    return config.model_copy(update=update)


def _where(marks: dict[Loc, tuple[str, int]], loc: Loc) -> tuple[str, int]:
    for n in range(len(loc), -1, -1):
        if loc[:n] in marks:
            return marks[loc[:n]]
    return next(iter(marks.values()))[0], 0


def parse_config(text: str, origin: str = "<string>") -> RoutingConfig:
    return build([(origin, text)])


def read_sources(path: Path) -> list[tuple[str, str]]:
    files = config_files(path)
    if not files:
        raise ConfigProblems([Problem(str(path), 0, "", "no .yaml files in the directory")])
    try:
        return [(str(p), p.read_text(encoding="utf-8")) for p in files]
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigProblems([Problem(str(path), 0, "", f"unreadable: {exc}")]) from None


def load_config(path: Path) -> RoutingConfig:
    base = path if path.is_dir() else path.parent
    return build(read_sources(path), base)


def default_sources() -> list[tuple[str, str]]:
    text = resources.files("router.defaults").joinpath(DEFAULT_CONFIG).read_text("utf-8")
    return [(f"router/defaults/{DEFAULT_CONFIG}", text)]


def load_default_config() -> RoutingConfig:
    return build(default_sources())
