"""The embedded local Apache Kafka: jars from Maven Central, one KRaft node on 127.0.0.1.

    with LocalKafka(Path("/tmp/kafka")) as kafka:
        ... kafka.bootstrap ...

`python -m omniroute.localkafka fetch|run|start|stop` does the same from a shell.
"""

from omniroute.localkafka.broker import LocalKafka
from omniroute.localkafka.config import render_properties, server_properties
from omniroute.localkafka.errors import LocalKafkaError
from omniroute.localkafka.jars import KAFKA_VERSION, cache_dir, ensure_jars, libs_dir
from omniroute.localkafka.probe import alive_brokers, is_ready

__all__ = [
    "KAFKA_VERSION",
    "LocalKafka",
    "LocalKafkaError",
    "alive_brokers",
    "cache_dir",
    "ensure_jars",
    "is_ready",
    "libs_dir",
    "render_properties",
    "server_properties",
]
