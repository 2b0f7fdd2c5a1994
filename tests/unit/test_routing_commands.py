"""`omniroute check-config`, `test-rules`, `classify`, `explain` and `eval-routing`."""

import io
from pathlib import Path

import orjson
import pytest
from prometheus_client import CollectorRegistry

from intake.settings import KafkaSettings
from omniroute.cli import main
from omniroute.commands.routing_run import router_pipeline, to_message
from router.service import build_runner
from router.settings import RouterSettings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "routing"
SHOP = FIXTURES / "shop"


@pytest.fixture(autouse=True)
def _no_env_config(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OMNIROUTE_ROUTER_CONFIG_PATH", "OMNIROUTE_ROUTING_CUSTOMERS_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_check_config_accepts_the_defaults_and_a_directory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check-config"]) == 0
    assert main(["check-config", str(SHOP)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("ok built-in routing.yaml: version ")
    assert out[1].startswith(f"ok {SHOP}: version ") and "5 rules" in out[1]


def test_check_config_prints_every_problem_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(FIXTURES / "bad.yaml"), str(SHOP)]) == 1
    captured = capsys.readouterr()
    assert len(captured.err.splitlines()) == 4
    assert f"{FIXTURES / 'bad.yaml'}:8: rules[1].keywords" in captured.err
    assert captured.out.startswith(f"ok {SHOP}")


def test_test_rules_runs_the_shipped_cases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test-rules"]) == 0
    assert capsys.readouterr().out.strip().endswith("passed, 0 failed")


def test_test_rules_finds_its_config_next_to_the_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test-rules", "-v", str(SHOP / "routing_tests.yaml")]) == 0
    assert "5 passed, 0 failed" in capsys.readouterr().out


def test_a_failing_case_names_its_line_and_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tests = tmp_path / "t_tests.yaml"
    tests.write_text(
        f"config: {SHOP}\ntests:\n  - text: where is my parcel\n"
        "    expect: {department: orders, rules: [orders_cancel]}\n"
    )
    assert main(["test-rules", str(tests)]) == 1
    out = capsys.readouterr().out
    assert f"FAIL {tests}:3 'where is my parcel'" in out
    assert "department: expected orders, got logistics" in out
    assert "rule orders_cancel did not match" in out and "0 passed, 1 failed" in out


def test_a_broken_test_file_is_reported_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tests = tmp_path / "t_tests.yaml"
    tests.write_text("tests:\n  - text: hi\n    expect: {departmnt: orders}\n")
    assert main(["test-rules", str(tests)]) == 2
    assert f"{tests}:3: tests[0].expect.departmnt" in capsys.readouterr().err


def test_classify_is_the_routers_own_decision(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        '{"text": "please cancel my order", "channel": "email"}',
        "not json",
        '{"text": "我的快递到哪了", "subject": "快递", "channel": "webchat"}',
        "[1]",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["classify", "--config", str(SHOP)]) == 1  # two bad lines
    out = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o.get("department") for o in out] == ["orders", None, "logistics", None]
    assert out[1]["line"] == 2 and out[3]["line"] == 4
    assert out[2]["language"] == "zh" and out[2]["rules"][0]["rule_id"] == "where_is_it"
    # The running router builds its pipeline the same way and decides the same.
    runner = build_runner(RouterSettings(config_path=SHOP), KafkaSettings(), CollectorRegistry())
    _, completer = router_pipeline(SHOP, None)
    message = to_message(completer, orjson.loads(lines[2]), 3)
    clocks = {"decided_at", "sla_due_at"}  # both read the clock at their own moment
    expected = runner.pipeline.decide(message).model_dump(mode="json", exclude=clocks)
    assert {k: v for k, v in out[2].items() if k not in clocks} == expected


def test_classify_reads_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "where is my parcel"}\n\n')
    assert main(["classify", str(source), "--config", str(SHOP)]) == 0
    assert orjson.loads(capsys.readouterr().out)["department"] == "logistics"


def test_explain_shows_rules_priority_and_deadline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "退款！不然我找律师起诉你们", "--channel", "webchat"]) == 0
    out = capsys.readouterr().out
    assert "decision   returns" in out and "language   zh" in out
    assert "rule       urgent_legal (priority >= urgent) score 2: 律师, 起诉" in out
    assert "priority   urgent (set by rule:urgent_legal)" in out
    assert "channel:webchat=30s x0.25(urgent)" in out


def test_explain_model_layer_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "what about the weather", "--config", str(SHOP), "--json"]) == 0
    record = orjson.loads(capsys.readouterr().out)
    assert record["department"] == "triage" and record["layer"] == "fallback"
    assert main(["explain", "x", "--config", str(SHOP), "--tier", "vip", "--metadata", "q"]) == 2


def test_eval_routing_reports_accuracy_and_confusion(capsys: pytest.CaptureFixture[str]) -> None:
    labelled = str(FIXTURES / "labelled.jsonl")
    assert main(["eval-routing", "--labelled", labelled, "--config", str(SHOP)]) == 0
    out = capsys.readouterr().out
    assert "decided by fallback 1, rules 3" in out and "accuracy 0.7500" in out
    assert main(["eval-routing", "--labelled", labelled, "--config", str(SHOP), "--json"]) == 0
    body = orjson.loads(capsys.readouterr().out)
    assert body["accuracy"] == 0.75 and body["layers"] == {"rules": 3, "fallback": 1}


def test_check_config_loads_the_model_it_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "r.yaml"
    config.write_text("departments: [a]\nclassifier: {model: missing.bin}\n")
    assert main(["check-config", str(config)]) == 1
    assert f"{config}: classifier.model: cannot read {tmp_path / 'missing.bin'}" in (
        capsys.readouterr().err
    )


def test_customer_tiers_come_from_a_directory_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "customers.csv"
    export.write_text(
        "customer_id,email,tier,time_zone\n"
        "c-1,ana@example.com,VIP,Asia/Shanghai\nc-2,bo@example.com,,\n"
    )
    lines = [
        orjson.dumps(
            {"text": "where is my parcel", "channel": "webchat", "customer": {"email": email}}
        ).decode()
        for email in ("Ana@Example.com", "bo@example.com", "new@example.com")
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["classify", "--customers", str(export)]) == 0
    out = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(o["priority"], o["priority_reason"]) for o in out] == [
        ("high", "tier:vip"),
        ("normal", "default"),
        ("normal", "default"),
    ]
