"""Error hierarchy. Like aiokafka's, retriability is a class attribute, so callers decide
between "answer 503 and let the sender retry" and "reject for good" without string matching."""

from typing import ClassVar


class OmnirouteError(Exception):
    """Base of every error omniroute raises on purpose."""

    retriable: ClassVar[bool] = False


class InvalidInput(OmnirouteError):
    """Input that will never become valid by retrying (bad JSON, schema violation, bad MIME)."""


class AuthenticationFailed(OmnirouteError):
    """Missing, unknown or forged credentials or signatures."""


class NotPermitted(OmnirouteError):
    """Known caller, but not allowed to do this (e.g. a token scoped to other channels)."""


class KafkaUnavailable(OmnirouteError):
    """Kafka did not acknowledge in time. The record may or may not have been written, which is
    why ids are deterministic: a retry produces the same message id and dedup absorbs it."""

    retriable = True


class ConfigError(OmnirouteError):
    """Configuration that failed validation; the previous configuration (if any) stays active."""
