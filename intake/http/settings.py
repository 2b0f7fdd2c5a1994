"""Ingest API settings. Environment: `OMNIROUTE_INTAKE_*`."""

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from intake.http.auth import TokenEntry


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_INTAKE_", frozen=True, extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP API binds to")
    port: int = Field(8080, ge=0, le=65535, description="HTTP port (0 = any free port)")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="Largest accepted request body")
    max_batch: int = Field(500, ge=1, description="Most messages in one batch request")
    ack_timeout_s: float = Field(
        10.0, gt=0, description="How long a request waits for Kafka's ack before answering 503"
    )
    retry_after_s: int = Field(5, ge=1, description="Retry-After sent with 503 answers")
    tokens: tuple[TokenEntry, ...] = Field(
        (), description="Adapter tokens as JSON: [{name, sha256, channels}]"
    )
    tokens_file: Path | None = Field(None, description="JSON/YAML file with more token entries")
    identity_secret: SecretStr = Field(
        SecretStr("omniroute-development-identity-secret"),
        description="HMAC key for customer identity keys; set a random one in production",
    )
    default_region: str = Field("US", description="Region for phone numbers without +country")
    probe_interval_s: float = Field(5.0, gt=0, description="Kafka readiness probe interval")
