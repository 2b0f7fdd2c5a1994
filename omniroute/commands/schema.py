"""`omniroute schema`: the JSON Schemas of the intake contract and the OpenAPI document.
They are committed under intake/schema/; `--check` fails when they are out of date (CI)."""

import argparse
import sys
from pathlib import Path
from typing import Any

from intake import serde
from intake.http.openapi import openapi_document
from intake.message import Message, MessageDraft

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "intake" / "schema"


def documents() -> dict[str, dict[str, Any]]:
    return {
        "message.v1.schema.json": Message.model_json_schema(mode="serialization"),
        "message-draft.v1.schema.json": MessageDraft.model_json_schema(mode="validation"),
        "openapi.json": openapi_document(),
    }


def render(doc: dict[str, Any]) -> bytes:
    return serde.dumps_pretty(doc)


def _run(args: argparse.Namespace) -> int:
    docs = documents()
    if args.name:
        sys.stdout.buffer.write(render(docs[args.name]))
        return 0
    out: Path = args.out
    stale = [
        n for n, d in docs.items() if not (out / n).is_file() or (out / n).read_bytes() != render(d)
    ]
    if args.check:
        for name in stale:
            print(f"out of date: {out / name} (run `omniroute schema --write`)", file=sys.stderr)
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in docs.items():
        (out / name).write_bytes(render(doc))
    print(f"wrote {len(docs)} documents to {out}")
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("schema", help="export the intake JSON Schemas and OpenAPI")
    p.add_argument("name", nargs="?", choices=sorted(documents()), help="print one document")
    p.add_argument("--out", type=Path, default=SCHEMA_DIR, help="directory (default: %(default)s)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="write all documents (default)")
    mode.add_argument("--check", action="store_true", help="exit 1 if committed ones are stale")
    p.set_defaults(func=_run)
