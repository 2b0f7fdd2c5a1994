"""Connector lookup by name (for `omniroute normalize` and for mounting on the intake app).

One line per connector, as "module:Class". Imports are lazy so one connector's optional
dependency cannot break the others, and `omniroute --help` stays fast.
"""

import importlib
from typing import Any

from connectors.base import Connector

CONNECTORS: dict[str, str] = {
    # name: "module:Class"  (each connector adds its line here)
    "asterisk": "connectors.phone.asterisk:AsteriskConnector",
    "freeswitch": "connectors.phone.freeswitch:FreeswitchConnector",
    "twilio": "connectors.phone.twilio:TwilioConnector",
    "email": "connectors.email.connector:EmailConnector",
    "meta": "connectors.social.meta:MetaConnector",
    "x": "connectors.social.x:XConnector",
    "webchat": "connectors.webchat.connector:WebChatConnector",
}


def names() -> list[str]:
    return sorted(CONNECTORS)


def get(name: str, **overrides: Any) -> Connector[Any]:
    """Instantiate a connector with its config from the environment (plus overrides)."""
    try:
        spec = CONNECTORS[name]
    except KeyError:
        known = ", ".join(names()) or "none"
        raise KeyError(f"unknown connector '{name}' (known: {known})") from None
    module_name, _, class_name = spec.partition(":")
    cls: type[Connector[Any]] = getattr(importlib.import_module(module_name), class_name)
    return cls(cls.config_model(**overrides))
