"""Kafka security on a real broker: one local Apache Kafka with a SASL_PLAINTEXT listener (PLAIN
and SCRAM-SHA-512) and a SASL_SSL listener (TLS from a test CA), its SCRAM user created at
format time (`kafka-storage format --add-scram`). omniroute authenticates with each mechanism
through its ordinary settings (admin, producer via the ingest API, consumer), and refused
credentials or an untrusted broker certificate stop it at once with one clear line."""

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from intake.admin import ensure_topics
from intake.settings import KafkaSettings
from intake.topics import Topics
from omniroute import startup
from omniroute.cli import main
from omniroute.localkafka import LocalKafka
from omniroute.localkafka.config import HOST, free_ports
from tests.integration.app_harness import AUTH, intake_client
from tests.integration.conftest import DEPARTMENTS
from tests.integration.kafka_helpers import read_records
from tests.integration.requires import require_binary

PLAIN_USER, PLAIN_PASSWORD = "bob", "bob-plain-secret"
SCRAM_USER, SCRAM_PASSWORD = "alice", "alice-scram-secret"
_JAAS_PLAIN = (
    "org.apache.kafka.common.security.plain.PlainLoginModule required "
    f'user_{PLAIN_USER}="{PLAIN_PASSWORD}";'
)
_JAAS_SCRAM = "org.apache.kafka.common.security.scram.ScramLoginModule required;"


@dataclass(frozen=True)
class SecureKafka:
    sasl_port: int
    ssl_port: int
    ca_file: Path
    other_ca_file: Path


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _certificates(d: Path) -> None:
    """A test CA, a broker certificate for 127.0.0.1 signed by it, and an unrelated CA."""
    new_key = ["-newkey", "rsa:2048", "-nodes", "-days", "2"]
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", *new_key, "-keyout", f"{ca}.key", "-out", f"{ca}.crt",
                 "-subj", f"/CN=omniroute {ca}", cwd=d)  # fmt: skip
    _openssl("req", *new_key[:3], "-keyout", "broker.key", "-out", "broker.csr",
             "-subj", f"/CN={HOST}", cwd=d)  # fmt: skip
    (d / "san.ext").write_text(f"subjectAltName=IP:{HOST}\n")
    _openssl("x509", "-req", "-in", "broker.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "broker.crt", "-days", "2", "-extfile", "san.ext",
             cwd=d)  # fmt: skip
    # Kafka's PEM keystore: the (unencrypted PKCS#8) key followed by the certificate chain.
    (d / "broker.pem").write_text((d / "broker.key").read_text() + (d / "broker.crt").read_text())


@pytest.fixture(scope="module")
def secure_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureKafka]:
    require_binary("openssl", "openssl")
    certs = tmp_path_factory.mktemp("certs")
    _certificates(certs)
    port, controller, sasl, ssl = free_ports(4)
    props = {
        # PLAINTEXT stays for the controller link and the readiness probe, on loopback only.
        "listeners": f"PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller},"
        f"SASL_PLAINTEXT://{HOST}:{sasl},SASL_SSL://{HOST}:{ssl}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{port},SASL_PLAINTEXT://{HOST}:{sasl},"
        f"SASL_SSL://{HOST}:{ssl}",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
        "SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
        "sasl.enabled.mechanisms": "PLAIN,SCRAM-SHA-512",
        "listener.name.sasl_ssl.ssl.keystore.type": "PEM",
        "listener.name.sasl_ssl.ssl.keystore.location": str(certs / "broker.pem"),
    }
    for listener in ("sasl_plaintext", "sasl_ssl"):
        props[f"listener.name.{listener}.plain.sasl.jaas.config"] = _JAAS_PLAIN
        props[f"listener.name.{listener}.scram-sha-512.sasl.jaas.config"] = _JAAS_SCRAM
    scram = f"SCRAM-SHA-512=[name={SCRAM_USER},password={SCRAM_PASSWORD}]"
    broker = LocalKafka(
        tmp_path_factory.mktemp("secure-kafka"), port, controller, props,
        format_args=["--add-scram", scram],
    )  # fmt: skip
    broker.start(timeout=180)
    try:
        yield SecureKafka(sasl, ssl, certs / "ca.crt", certs / "other-ca.crt")
    finally:
        broker.stop()


def plain(k: SecureKafka, password: str = PLAIN_PASSWORD, **extra: object) -> KafkaSettings:
    return KafkaSettings.model_validate({
        "bootstrap": f"{HOST}:{k.sasl_port}", "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "PLAIN", "sasl_username": PLAIN_USER, "sasl_password": password,
        "partitions": 3, **extra,
    })  # fmt: skip


def scram_tls(k: SecureKafka, password: str = SCRAM_PASSWORD, **extra: object) -> KafkaSettings:
    return KafkaSettings.model_validate({
        "bootstrap": f"{HOST}:{k.ssl_port}", "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512", "sasl_username": SCRAM_USER,
        "sasl_password": password, "ssl_cafile": str(k.ca_file), "partitions": 3, **extra,
    })  # fmt: skip


async def _ingest_roundtrip(kafka: KafkaSettings) -> None:
    await startup.wait_for_kafka(kafka, 60)
    await ensure_topics(kafka, Topics(kafka.topic_prefix).specs(DEPARTMENTS, 3))
    body = {"channel": "api", "channel_message_id": "sec-1", "text": "where is my parcel"}
    async with intake_client(kafka) as client:
        resp = await client.post("/v1/messages", json=body, headers=AUTH)
        assert resp.status == 202, await resp.text()
    records = await read_records(kafka, [Topics(kafka.topic_prefix).intake("api")], expect=1)
    assert len(records) == 1 and b"sec-1" in records[0].value


@pytest.mark.parametrize("mechanism", ["PLAIN over SASL_PLAINTEXT", "SCRAM-SHA-512 over TLS"])
def test_authenticates_and_routes_traffic(secure_kafka: SecureKafka, mechanism: str) -> None:
    make = plain if mechanism.startswith("PLAIN") else scram_tls
    prefix = f"sec{int(time.time() * 1000) % 10**9}"
    asyncio.run(_ingest_roundtrip(make(secure_kafka, topic_prefix=prefix)))


@pytest.mark.parametrize("make", [plain, scram_tls], ids=["PLAIN", "SCRAM-SHA-512"])
def test_bad_credentials_fail_at_once_with_one_line(
    secure_kafka: SecureKafka, make: object
) -> None:
    assert callable(make)
    settings: KafkaSettings = make(secure_kafka, password="wrong-password-123")
    started = time.monotonic()
    with pytest.raises(startup.StartupError) as err:
        asyncio.run(startup.wait_for_kafka(settings, 60))
    assert time.monotonic() - started < 20  # refused, not retried until the deadline
    text = str(err.value)
    assert "refused the credentials" in text and settings.sasl_mechanism in text
    assert "wrong-password-123" not in text and "\n" not in text


def test_cli_refuses_to_start_with_bad_credentials(
    secure_kafka: SecureKafka, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "OMNIROUTE_KAFKA_BOOTSTRAP": f"{HOST}:{secure_kafka.sasl_port}",
        "OMNIROUTE_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "OMNIROUTE_KAFKA_SASL_MECHANISM": "PLAIN",
        "OMNIROUTE_KAFKA_SASL_USERNAME": PLAIN_USER,
        "OMNIROUTE_KAFKA_SASL_PASSWORD": "not-bobs-password",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert main(["intake"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"omniroute intake: Kafka at {HOST}:{secure_kafka.sasl_port} refused")
    assert "not-bobs-password" not in err and "\n" not in err


def test_untrusted_broker_certificate_fails_clearly(secure_kafka: SecureKafka) -> None:
    settings = scram_tls(secure_kafka, ssl_cafile=str(secure_kafka.other_ca_file))
    with pytest.raises(startup.StartupError) as err:
        asyncio.run(startup.wait_for_kafka(settings, 60))
    assert str(err.value).startswith(f"TLS with Kafka at {HOST}:{secure_kafka.ssl_port} failed")
    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)
