"""omniroute.localkafka without a JVM: the broker configuration, the jar cache bookkeeping,
the wire-protocol readiness probe against a scripted fake broker."""

import base64
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from omniroute.localkafka import (
    KAFKA_VERSION,
    LocalKafka,
    LocalKafkaError,
    alive_brokers,
    cache_dir,
    cds,
    ensure_jars,
    is_ready,
    libs_dir,
    render_properties,
    server_properties,
)
from omniroute.localkafka.config import free_ports, new_cluster_id, read_cluster_id

pytestmark = pytest.mark.unit


def parse(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if not line.startswith("#"))
    return dict(pairs)


def test_single_node_kraft_bound_to_loopback(tmp_path: Path) -> None:
    props = parse(render_properties(server_properties(tmp_path, 19092, 19093)))
    assert props["process.roles"] == "broker,controller"
    assert props["node.id"] == "1"
    assert props["controller.quorum.voters"] == "1@127.0.0.1:19093"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["log.dirs"] == str(tmp_path / "logs")


def test_internal_topics_fit_one_broker(tmp_path: Path) -> None:
    props = server_properties(tmp_path, 1, 2)
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["transaction.state.log.min.isr"] == "1"
    assert props["auto.create.topics.enable"] == "false"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["num.partitions"] == "3"


def test_extra_props_override_and_extend(tmp_path: Path) -> None:
    extra = {"num.partitions": "6", "transaction.max.timeout.ms": "60000"}
    props = server_properties(tmp_path, 1, 2, extra)
    assert props["num.partitions"] == "6"
    assert props["transaction.max.timeout.ms"] == "60000"


def test_values_are_escaped_for_java_properties() -> None:
    text = render_properties({"log.dirs": r"C:\kafka\logs", "x": " leading"})
    assert r"log.dirs=C:\\kafka\\logs" in text
    assert "x=\\ leading" in text


def test_cluster_id_is_a_kafka_uuid() -> None:
    for _ in range(200):
        cid = new_cluster_id()
        assert len(cid) == 22
        assert not cid.startswith("-")
        assert len(base64.urlsafe_b64decode(cid + "==")) == 16


def test_cluster_id_is_read_back_from_a_formatted_log_dir(tmp_path: Path) -> None:
    meta = tmp_path / "meta.properties"
    assert read_cluster_id(meta) is None
    meta.write_text("#\nnode.id=1\ncluster.id=b21uaXJvdXRlLWNvbXBvcw\nversion=1\n", "utf-8")
    assert read_cluster_id(meta) == "b21uaXJvdXRlLWNvbXBvcw"
    assert LocalKafka(tmp_path / "unformatted").cluster_id is None


def test_free_ports_are_distinct() -> None:
    ports = free_ports(2)
    assert len(set(ports)) == 2


def test_cache_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMNIROUTE_CACHE_DIR", str(tmp_path))
    assert cache_dir() == tmp_path
    assert libs_dir() == tmp_path / f"kafka-{KAFKA_VERSION}" / "libs"
    monkeypatch.delenv("OMNIROUTE_CACHE_DIR")
    assert cache_dir() == Path.home() / ".cache" / "omniroute"


def test_fetched_jars_are_reused_without_maven(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OMNIROUTE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", "/nonexistent")
    libs = libs_dir()
    libs.mkdir(parents=True)
    (libs.parent / ".fetched").write_text("kafka.jar\n")
    assert ensure_jars() == libs


def test_half_finished_fetch_is_redone(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OMNIROUTE_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("PATH", "/nonexistent")  # no mvn: the redo is attempted and fails
    libs_dir().mkdir(parents=True)  # libs present, completion marker missing
    with pytest.raises(LocalKafkaError, match="mvn"):
        ensure_jars()


def test_stop_without_a_broker_is_a_no_op(tmp_path: Path) -> None:
    (tmp_path / "broker.pid").write_text("999999999\n")  # stale: no such process
    kafka = LocalKafka(tmp_path)
    assert kafka.pid is None
    kafka.stop()
    assert not (tmp_path / "broker.pid").exists()


# --- the readiness probe against a fake broker speaking just enough of the protocol ---


def _frame(correlation_id: int, body: bytes) -> bytes:
    payload = struct.pack(">i", correlation_id) + body
    return struct.pack(">i", len(payload)) + payload


def _api_versions_body(metadata_range: tuple[int, int]) -> bytes:
    entries = [(18, 0, 3), (3, *metadata_range)]
    body = struct.pack(">hi", 0, len(entries))
    return body + b"".join(struct.pack(">hhh", *entry) for entry in entries)


def _metadata_body(version: int, node_ids: list[int]) -> bytes:
    body = struct.pack(">i", 0) if version >= 3 else b""
    body += struct.pack(">i", len(node_ids))
    for node_id in node_ids:
        host = b"127.0.0.1"
        body += struct.pack(">ih", node_id, len(host)) + host + struct.pack(">ih", 9092, -1)
    return body + struct.pack(">hi", -1, 1) + struct.pack(">i", 0)


def _read_request(conn: socket.socket) -> tuple[int, int, int]:
    size = struct.unpack(">i", conn.recv(4, socket.MSG_WAITALL))[0]
    data = conn.recv(size, socket.MSG_WAITALL)
    api_key, version, correlation_id = struct.unpack_from(">hhi", data)
    return api_key, version, correlation_id


@pytest.fixture
def fake_broker(request: pytest.FixtureRequest) -> Iterator[tuple[int, list[int]]]:
    """Serves one connection: ApiVersions, then Metadata listing `request.param` nodes.
    Yields the port and the Metadata versions the probe asked for."""
    metadata_range, node_ids = request.param
    asked: list[int] = []
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            _, _, corr = _read_request(conn)
            conn.sendall(_frame(corr, _api_versions_body(metadata_range)))
            try:
                _, version, corr = _read_request(conn)
            except struct.error:
                return  # the probe gave up after ApiVersions
            asked.append(version)
            conn.sendall(_frame(corr, _metadata_body(version, node_ids)))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], asked
    finally:
        thread.join(timeout=5)
        server.close()


@pytest.mark.parametrize("fake_broker", [((0, 12), [1])], indirect=True)
def test_probe_lists_alive_brokers(fake_broker: tuple[int, list[int]]) -> None:
    port, asked = fake_broker
    assert alive_brokers("127.0.0.1", port, timeout=5) == [1]
    assert asked == [1]


@pytest.mark.parametrize("fake_broker", [((4, 13), [])], indirect=True)
def test_probe_uses_a_version_the_broker_still_supports(
    fake_broker: tuple[int, list[int]],
) -> None:
    """Kafka 4 removed old protocol versions (KIP-896); a fenced broker lists no brokers."""
    port, asked = fake_broker
    assert not is_ready("127.0.0.1", port, timeout=5)
    assert asked == [4]


@pytest.mark.parametrize("fake_broker", [((9, 13), [1])], indirect=True)
def test_probe_without_a_usable_version_is_not_ready(
    fake_broker: tuple[int, list[int]],
) -> None:
    port, asked = fake_broker
    assert not is_ready("127.0.0.1", port, timeout=5)
    assert asked == []


def test_probe_on_a_closed_port_is_not_ready() -> None:
    (port,) = free_ports(1)
    assert not is_ready("127.0.0.1", port, timeout=1)


# --- class-data sharing archive bookkeeping ---


def test_first_broker_dumps_an_archive_later_ones_map_it(tmp_path: Path) -> None:
    libs = tmp_path / "libs"
    libs.mkdir()
    archive = cds.archive_path(libs, "java")
    assert archive is not None
    assert archive == cds.archive_path(libs, "java")  # stable for the same JVM and jars
    flags = cds.jvm_flags(archive)
    (dump,) = [f for f in flags if f.startswith("-XX:ArchiveClassesAtExit=")]
    assert cds.dump_time(flags) > 0

    partial = Path(dump.split("=", 1)[1])
    partial.write_bytes(b"archive")  # what the JVM writes as it exits
    cds.adopt(["java", *flags, "kafka.Kafka"])
    assert archive.read_bytes() == b"archive"
    assert not partial.exists()
    assert f"-XX:SharedArchiveFile={archive}" in cds.jvm_flags(archive)


def test_archive_of_a_failed_broker_is_discarded(tmp_path: Path) -> None:
    archive = tmp_path / "kafka-x.jsa"
    flags = cds.jvm_flags(archive)
    partial = Path(flags[-1].split("=", 1)[1])
    partial.write_bytes(b"half")
    cds.adopt(flags, publish=False)
    assert not partial.exists()
    assert not archive.exists()


def test_no_java_no_archive(tmp_path: Path) -> None:
    assert cds.archive_path(tmp_path, "no-such-java-binary") is None
