"""Router process settings. Environment: `OMNIROUTE_ROUTER_*`."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RouterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_ROUTER_", frozen=True, extra="ignore")

    group_id: str = Field("omniroute-router", description="Kafka consumer group of the routers")
    instance_id: str | None = Field(
        None,
        description="Static group member id (e.g. the pod name): a quick restart then keeps "
        "its partitions instead of triggering a rebalance",
    )
    config_path: Path | None = Field(None, description="Routing YAML; unset = built-in default")
    max_batch: int = Field(500, ge=1, description="Most records processed per poll")
    poll_timeout_ms: int = Field(100, ge=1, description="How long a poll waits for records")
    http_host: str = Field("127.0.0.1", description="Address of /metrics, /healthz, /readyz")
    http_port: int = Field(9091, ge=0, le=65535, description="Port of the router's HTTP endpoints")
    session_timeout_ms: int = Field(
        30_000, ge=6000, description="How long the group waits for a silent member"
    )
    commit_interval_ms: int = Field(
        100,
        ge=1,
        description="How often each partition's Kafka transaction is committed: longer means "
        "fewer transactions (cheaper), shorter means read_committed readers see outputs sooner",
    )
    transaction_timeout_ms: int = Field(
        60_000,
        ge=1000,
        description="Broker aborts (and fences) a transaction left open longer than this",
    )
    max_pending: int = Field(
        20_000,
        ge=1,
        description="Most processed records buffered per partition while its previous "
        "transaction commits; beyond it processing waits (back-pressure)",
    )
    restore_timeout_s: float = Field(
        600.0, gt=0, description="Upper bound for restoring one assignment's state changelog"
    )
