import json

import pytest

from omniroute.cli import main
from omniroute.commands.schema import SCHEMA_DIR, documents, render


def test_committed_schemas_are_current() -> None:
    for name, doc in documents().items():
        assert (SCHEMA_DIR / name).read_bytes() == render(doc), "run `omniroute schema --write`"


def test_schema_check_passes_on_committed_files() -> None:
    assert main(["schema", "--check"]) == 0


def test_token_new_prints_only_the_hash_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "new", "--name", "shop", "--channels", "api,social"]) == 0
    out, err = capsys.readouterr()
    entry = json.loads(out)
    token = err.split(": ")[-1].strip()
    assert entry["channels"] == ["api", "social"] and token not in out
    assert len(entry["sha256"]) == 64


def test_normalize_misuse_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["normalize", "--channel", "no-such-connector", "x"]) == 2
    assert "unknown connector" in capsys.readouterr().err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("intake", "router", "topics", "schema", "demo", "normalize"):
        assert command in out
