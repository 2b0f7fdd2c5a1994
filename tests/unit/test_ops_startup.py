"""Startup refuses to run with one clear line: invalid config, unreachable Kafka (bounded wait),
missing topics. Real-broker cases are in tests/integration/test_ops_startup.py."""

import time
from pathlib import Path

import pytest

from intake.http.settings import IntakeSettings
from intake.settings import KafkaSettings
from omniroute import startup
from omniroute.cli import main
from omniroute.localkafka.config import free_ports
from omniroute.startup import StartupError, StartupSettings


def test_invalid_settings_name_the_variables_not_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OMNIROUTE_INTAKE_PORT", "99999")
    monkeypatch.setenv("OMNIROUTE_INTAKE_MAX_BATCH", "zero-secret-looking")
    with pytest.raises(StartupError) as err:
        startup.load(IntakeSettings)
    text = str(err.value)
    assert text.startswith("invalid configuration: ")
    assert "OMNIROUTE_INTAKE_PORT" in text and "OMNIROUTE_INTAKE_MAX_BATCH" in text
    assert "zero-secret-looking" not in text and "\n" not in text


def test_create_topics_from_flag_or_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert startup.create_requested(True)
    assert not startup.create_requested(False)
    monkeypatch.setenv("OMNIROUTE_CREATE_TOPICS", "true")
    assert startup.create_requested(False) and StartupSettings().create_topics


def test_topic_sets() -> None:
    kafka = KafkaSettings(bootstrap="127.0.0.1:1", topic_prefix="p", partitions=4)
    intake = {s.name for s in startup.intake_specs(kafka)}
    assert intake == {
        "p.intake.email", "p.intake.phone", "p.intake.social", "p.intake.webchat",
        "p.intake.api", "p.events", "p.deadletter",
    }  # fmt: skip
    router = {s.name: s for s in startup.router_specs(kafka, ["billing"])}
    assert "p.dept.billing" in router and router["p.router.state"].compacted
    assert all(s.partitions == 4 for s in router.values())


async def test_unreachable_kafka_gives_up_after_the_bounded_wait() -> None:
    port = free_ports(1)[0]  # nothing listens there
    kafka = KafkaSettings(bootstrap=f"127.0.0.1:{port}", connect_timeout_s=1.5)
    started = time.monotonic()
    with pytest.raises(StartupError) as err:
        await startup.wait_for_kafka(kafka)
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 10
    assert str(err.value).startswith(f"Kafka unreachable at 127.0.0.1:{port} after 1.5s")


def test_cli_prints_one_line_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("OMNIROUTE_KAFKA_BOOTSTRAP", "127.0.0.1:1")
    monkeypatch.setenv("OMNIROUTE_ROUTER_CONFIG_PATH", str(tmp_path / "missing.yaml"))
    assert main(["router"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("omniroute router: invalid configuration: ")
    assert "missing.yaml" in err and "\n" not in err
    (tmp_path / "bad.yaml").write_text("departments: [\n")
    monkeypatch.setenv("OMNIROUTE_ROUTER_CONFIG_PATH", str(tmp_path / "bad.yaml"))
    assert main(["router"]) == 1
    err = capsys.readouterr().err.strip()
    assert "invalid YAML" in err and "\n" not in err
    monkeypatch.setenv("OMNIROUTE_KAFKA_SECURITY_PROTOCOL", "CARRIER_PIGEON")
    assert main(["intake"]) == 1
    assert "OMNIROUTE_KAFKA_SECURITY_PROTOCOL" in capsys.readouterr().err
