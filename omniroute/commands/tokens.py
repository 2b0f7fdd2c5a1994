"""`omniroute token new`: mint an adapter token. Only its hash goes into configuration; the
token itself is printed once, for the adapter's secret store."""

import argparse
import sys

from intake import serde
from intake.http.auth import TokenEntry, hash_token, new_token
from intake.message import Channel


def _new(args: argparse.Namespace) -> int:
    channels = (
        tuple(Channel(c) for c in args.channels.split(",")) if args.channels else tuple(Channel)
    )
    token = new_token()
    entry = TokenEntry(name=args.name, sha256=hash_token(token), channels=channels)
    print(f"token (give to the adapter, shown once): {token}", file=sys.stderr)
    sys.stdout.buffer.write(serde.dumps_obj(entry.model_dump(mode="json")) + b"\n")
    return 0


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    p = subparsers.add_parser("token", help="adapter tokens for the ingest API")
    sub = p.add_subparsers(dest="token_command", required=True)
    new = sub.add_parser("new", help="mint a token; prints its config entry (hash only)")
    new.add_argument("--name", required=True, help="adapter name, e.g. shopify-chat")
    new.add_argument("--channels", default="", help="comma list (default: all channels)")
    new.set_defaults(func=_new)
