"""Which Kafka a command talks to: `OMNIROUTE_KAFKA_BOOTSTRAP` (an existing cluster, with its
SASL/TLS settings), else the embedded local broker started by `omniroute kafka start`."""

from pathlib import Path

from intake.settings import KafkaSettings
from omniroute.localkafka import LocalKafka, cache_dir

LOCAL_DATA_DIR_NAME = "local-kafka"


class NoKafka(SystemExit):
    def __init__(self) -> None:
        super().__init__(
            "omniroute: no Kafka configured: set OMNIROUTE_KAFKA_BOOTSTRAP=host:port, "
            "or start the embedded broker with `omniroute kafka start`"
        )


def local_data_dir() -> Path:
    return cache_dir() / LOCAL_DATA_DIR_NAME


def resolve_kafka(settings: KafkaSettings | None = None) -> KafkaSettings:
    settings = settings or KafkaSettings()
    if settings.bootstrap:
        return settings
    broker = LocalKafka(local_data_dir())
    bootstrap_file = broker.data_dir / "bootstrap"
    if broker.running and bootstrap_file.is_file():
        bootstrap = bootstrap_file.read_text().strip()
        return settings.model_copy(update={"bootstrap": bootstrap})
    raise NoKafka
