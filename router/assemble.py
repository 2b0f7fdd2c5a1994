"""Building the router's classifier from a routing config: rules, the statistical model, the
language detector and the customer directory. The router, its config reloads and the
`omniroute classify/explain/test-rules` commands all build it here, so they decide alike."""

import logging
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.errors import ConfigError
from router.classifier import Classifier, Customers, LanguageDetector, TextScorer
from router.config.loader import load_config, load_default_config
from router.config.routing import RoutingConfig
from router.scoring import detector, load_scorer

log = logging.getLogger(__name__)


class RoutingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_ROUTING_", frozen=True, extra="ignore")

    reload_interval_s: float = Field(
        5.0,
        ge=0,
        description="How often the router checks its routing config (OMNIROUTE_ROUTER_CONFIG_PATH)"
        " for changes and reloads a valid one; 0 = never",
    )
    customers_file: Path | None = Field(
        None,
        description="Customer directory export (CSV, JSON or JSON lines: tier, time zone) for "
        "priority and SLA; raw identifiers in it need OMNIROUTE_INTAKE_IDENTITY_SECRET",
    )
    follow_customers: bool = Field(
        False,
        description="Read the customer directory topic (omniroute.customers) at start and "
        "follow its changes",
    )


def load_routing(path: Path | None) -> RoutingConfig:
    return load_default_config() if path is None else load_config(path)


def build_classifier(
    config: RoutingConfig,
    *,
    customers: Customers | None = None,
    detect_language: LanguageDetector | None = None,
) -> Classifier:
    """Raises ConfigError when the configured model cannot be loaded."""
    scorer: TextScorer | None = load_scorer(config.classifier.model)
    return Classifier(
        config, scorer, detect_language=detect_language or detector(), customers=customers
    )


def rebuild(previous: Classifier, config: RoutingConfig) -> Classifier:
    """The classifier for a reloaded config: same directory and detector, model reloaded only
    when the config names another one (`load_scorer` caches by path and file version)."""
    return previous.with_config(config, load_scorer(config.classifier.model))


__all__ = ["ConfigError", "RoutingSettings", "build_classifier", "load_routing", "rebuild"]
