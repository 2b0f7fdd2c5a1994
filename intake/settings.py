"""Kafka connection settings, shared by every process. Environment: `OMNIROUTE_KAFKA_*`."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMNIROUTE_KAFKA_", frozen=True, extra="ignore")

    bootstrap: str | None = Field(
        None,
        description="host:port[,host:port]; unset = the local broker of `omniroute kafka start`",
    )
    topic_prefix: str = Field("omniroute", description="Prefix of every topic name")
    partitions: int = Field(6, ge=1, description="Partitions for topics created by omniroute")
    replication_factor: int = Field(1, ge=1, description="Replication of created topics")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        "PLAINTEXT", description="Kafka security protocol"
    )
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = Field(
        None, description="SASL mechanism when the protocol is SASL_*"
    )
    sasl_username: str | None = Field(None, description="SASL user name")
    sasl_password: SecretStr | None = Field(None, description="SASL password")
    ssl_cafile: str | None = Field(None, description="CA bundle to verify the brokers")
    ssl_certfile: str | None = Field(None, description="Client certificate (mutual TLS)")
    ssl_keyfile: str | None = Field(None, description="Client private key (mutual TLS)")
    client_id: str = Field("omniroute", description="Kafka client.id prefix")
    request_timeout_ms: int = Field(30_000, ge=1000, description="Kafka request timeout")
    connect_timeout_s: float = Field(
        60.0, gt=0, description="How long startup waits for Kafka before giving up"
    )
