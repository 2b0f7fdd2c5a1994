"""Files a single-node KRaft broker needs: server.properties and the log4j 2 configuration."""

import base64
import socket
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

HOST = "127.0.0.1"
NODE_ID = 1


def server_properties(
    data_dir: Path, port: int, controller_port: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The broker+controller configuration; `extra` overrides any default."""
    props = {
        "process.roles": "broker,controller",
        "node.id": str(NODE_ID),
        # A static voter set (not --standalone's dynamic quorum) keeps the controller address out
        # of the metadata log, so a data dir can be restarted on different ports.
        "controller.quorum.voters": f"{NODE_ID}@{HOST}:{controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data_dir / "logs"),
        # Internal topics default to replication 3, which one broker can never satisfy: groups
        # and transactions would wait forever for their coordinators.
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "default.replication.factor": "1",
        # 50 partitions each (the defaults) make the first group join and the first
        # transaction wait seconds on a 2-core machine, for no benefit on one broker.
        "offsets.topic.num.partitions": "10",
        "transaction.state.log.num.partitions": "10",
        # Topics are created explicitly by omniroute; a typo must fail, not create a topic.
        "auto.create.topics.enable": "false",
        "group.initial.rebalance.delay.ms": "0",
        "num.partitions": "3",
        # The cleaner's default 128 MiB dedupe buffer would take a quarter of the small heap.
        "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
    }
    props.update(extra or {})
    return props


def render_properties(props: Mapping[str, str]) -> str:
    lines = ["# Written by omniroute.localkafka; rewritten on every start."]
    lines += [f"{key}={_escape(value)}" for key, value in props.items()]
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    # java.util.Properties treats a backslash as an escape and drops leading blanks.
    escaped = value.replace("\\", "\\\\")
    return "\\" + escaped if escaped[:1] in (" ", "\t") else escaped


def log4j2_properties() -> str:
    """Everything goes to stdout, which the launcher appends to broker.log: one file holds the
    broker log and anything the JVM prints before log4j is up (a bad classpath, an OOM)."""
    return "\n".join(
        [
            "status = warn",
            # Without this log4j stops at SIGTERM and the broker's shutdown goes unlogged.
            "shutdownHook = disable",
            "appender.out.type = Console",
            "appender.out.name = OUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = OUT",
            # Full config dumps on every client and server start drown the useful lines.
            "logger.config.name = org.apache.kafka.common.config",
            "logger.config.level = WARN",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "",
        ]
    )


def new_cluster_id() -> str:
    """What `kafka-storage random-uuid` prints, without paying for a JVM start."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode("ascii")
        # Kafka's Uuid.randomUuid rerolls ids starting with '-': they look like CLI options.
        if not text.startswith("-"):
            return text


def read_cluster_id(meta_properties: Path) -> str | None:
    """`cluster.id` from a formatted log dir's meta.properties."""
    try:
        text = meta_properties.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "cluster.id":
            return value.strip()
    return None


def free_ports(count: int) -> list[int]:
    """Distinct free loopback ports. All sockets stay open until every port is chosen so the
    kernel cannot hand out the same port twice; another process may still take one before the
    broker binds it, in which case start fails with 'Address already in use' in the log."""
    with ExitStack() as stack:
        ports = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((HOST, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports
