"""`omniroute normalize --channel NAME FILE...`: run payloads through exactly a connector's
parser and print the Message(s), the ignore reason, or the deadletter reason, as JSON lines.
Exit 0 whatever the input holds; non-zero only when the command itself is misused."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from connectors import registry
from connectors.base import safe_parse
from intake import serde
from intake.complete import Completer
from intake.identity import IdentityKeyer

# Normalising is a preview: the keys it prints are computed with a fixed development secret and
# must not be compared with production keys.
_PREVIEW_SECRET = b"omniroute-normalize-preview-key"


def normalize_file(name: str, path: Path, out: IO[str]) -> None:
    connector = registry.get(name)
    result = safe_parse(connector, path.read_bytes(), {"filename": path.name})
    completer = Completer(IdentityKeyer(_PREVIEW_SECRET))
    now = datetime.now(UTC)
    for draft in result.drafts:
        message = completer.complete(draft, source=connector.name, now=now)
        out.write(
            serde.dumps_obj(
                {"file": str(path), "message": message.model_dump(mode="json", exclude_none=True)}
            ).decode()
            + "\n"
        )
    for reason in result.ignored:
        out.write(serde.dumps_obj({"file": str(path), "ignored": reason}).decode() + "\n")
    for dl in result.deadletters:
        line = {
            "file": str(path),
            "deadletter": {
                "stage": dl.stage.value,
                "reason_code": dl.reason_code,
                "reason": dl.reason,
            },
        }
        out.write(serde.dumps_obj(line).decode() + "\n")


def _run(args: argparse.Namespace) -> int:
    try:
        registry.get(args.channel)
    except KeyError as exc:
        print(f"omniroute normalize: {exc.args[0]}", file=sys.stderr)
        return 2
    for path in args.files:
        if not path.is_file():
            print(f"omniroute normalize: no such file: {path}", file=sys.stderr)
            return 2
    for path in args.files:
        normalize_file(args.channel, path, sys.stdout)
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("normalize", help="print what a connector makes of payload files")
    p.add_argument("--channel", required=True, help="connector name (email, asterisk, meta, ...)")
    p.add_argument("files", nargs="+", type=Path, help="payload files")
    p.set_defaults(func=_run)
