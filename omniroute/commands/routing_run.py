"""What `omniroute classify/explain/test-rules` share: the router's own classifier and pipeline
built from a config path, and messages completed exactly as intake completes them."""

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from intake.complete import Completer
from intake.directory import Directory
from intake.http.settings import IntakeSettings
from intake.identity import IdentityKeyer
from intake.message import Message, MessageDraft
from intake.topics import Topics
from router.assemble import RoutingSettings, build_classifier, load_routing
from router.customers import open_directory
from router.pipeline import Pipeline
from router.settings import RouterSettings


def add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="routing YAML file or directory (default: OMNIROUTE_ROUTER_CONFIG_PATH or built-in)",
    )
    p.add_argument(
        "--customers",
        type=Path,
        default=None,
        help="customer directory export (CSV/JSON) for tiers (default: OMNIROUTE_ROUTING_"
        "CUSTOMERS_FILE)",
    )


def router_pipeline(config: Path | None, customers: Path | None) -> tuple[Pipeline, Completer]:
    """Raises ConfigError (ConfigProblems) for a bad config or model."""
    path = config or RouterSettings().config_path
    routing = RoutingSettings()
    if customers is not None:
        routing = routing.model_copy(update={"customers_file": customers})
    directory = open_directory(routing)
    classifier = build_classifier(load_routing(path), customers=directory)
    secret = IntakeSettings().identity_secret.get_secret_value().encode()
    resolver = directory if isinstance(directory, Directory) else None
    return Pipeline(classifier, Topics()), Completer(IdentityKeyer(secret), resolver)


def to_message(completer: Completer, data: dict[str, Any], number: int) -> Message:
    """A JSON object ({"text", "subject", "channel", ...any MessageDraft field}) as intake
    would have completed it. Raises pydantic's ValidationError (a ValueError)."""
    fields = {"channel": "api", "channel_message_id": f"cli-{number}"} | data
    draft = MessageDraft.model_validate(fields)
    return completer.complete(draft, "omniroute-cli", datetime.now(UTC))
