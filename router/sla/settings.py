"""SLA tracker process settings. Environment: `OMNIROUTE_SLA_*`."""

from pathlib import Path

import yaml
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.errors import ConfigError
from router.sla.config import SlaTrackerConfig


class SlaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_SLA_", frozen=True, extra="ignore")

    group_id: str = Field(
        "omniroute-sla-tracker",
        description="Consumer group of the tracker instances; also the prefix of their "
        "transactional ids (<group_id>-p<partition>)",
    )
    config_path: Path | None = Field(
        None, description="SLA tracker YAML (at-risk share, escalations); unset = defaults"
    )
    http_host: str = Field("127.0.0.1", description="Address of /metrics, /status, /healthz")
    http_port: int = Field(9096, ge=0, le=65535, description="Port of the tracker's HTTP app")
    tick_interval_s: float = Field(1.0, gt=0, description="How often deadlines are checked")
    lag_interval_s: float = Field(
        5.0, gt=0, description="How often consumer lag and the case gauges are refreshed"
    )
    poll_timeout_ms: int = Field(200, ge=1, description="How long a poll waits for records")
    max_batch: int = Field(500, ge=1, description="Most records processed per poll")
    commit_interval_ms: int = Field(
        200,
        ge=1,
        description="Per partition: one transaction (alerts, changelog, offsets) per interval",
    )
    transaction_timeout_ms: int = Field(
        60_000, ge=1000, description="Kafka transaction timeout of the per-partition producers"
    )
    session_timeout_ms: int = Field(
        10_000,
        ge=1000,
        description="Group session timeout: how soon a dead instance's partitions move",
    )
    restore_timeout_s: float = Field(
        300.0, gt=0, description="Longest changelog restore of a partition take-over"
    )
    status_refresh_s: int = Field(5, ge=1, description="Refresh period of the /status page")


def load_tracker_config(path: Path | None) -> SlaTrackerConfig:
    if path is None:
        return SlaTrackerConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SlaTrackerConfig.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
