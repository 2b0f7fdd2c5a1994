"""The config watcher: a valid change swaps the pipeline's classifier, an invalid one is
rejected (logged, counted) and the old one stays; unchanged content does nothing."""

import asyncio
import logging
import os
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from intake.topics import Topics
from router.assemble import build_classifier
from router.config import load_config
from router.pipeline import Pipeline
from router.reload import ConfigWatcher, ReloadMetrics

GOOD = (
    "departments: [orders, logistics]\nclassifier: {model: none}\nrules:\n"
    "  - {id: r1, department: orders, keywords: [parcel]}\n"
)


def setup(tmp_path: Path) -> tuple[Path, Pipeline, ConfigWatcher, CollectorRegistry]:
    path = tmp_path / "routing.yaml"
    path.write_text(GOOD)
    pipeline = Pipeline(build_classifier(load_config(path)), Topics())
    registry = CollectorRegistry()
    return path, pipeline, ConfigWatcher(path, pipeline, ReloadMetrics(registry), 0.05), registry


def write(path: Path, text: str) -> None:
    path.write_text(text)
    # Same-second rewrites must still look changed to the stamp.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def count(registry: CollectorRegistry, outcome: str) -> float:
    value = registry.get_sample_value("omniroute_config_reloads_total", {"outcome": outcome})
    return value or 0.0


async def test_a_valid_change_is_applied(tmp_path: Path) -> None:
    path, pipeline, watcher, registry = setup(tmp_path)
    before = pipeline.classifier
    write(path, GOOD.replace("department: orders", "department: logistics"))
    result = await watcher.check()
    assert result is not None and result.outcome == "applied"
    assert pipeline.classifier is not before
    assert pipeline.classifier.config.version == result.version != before.config.version
    assert count(registry, "applied") == 1 and count(registry, "rejected") == 0


async def test_an_invalid_change_is_rejected_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, pipeline, watcher, registry = setup(tmp_path)
    before = pipeline.classifier
    write(path, GOOD + "  - {id: r2, department: nowhere, keywords: [x]}\n")
    with caplog.at_level(logging.ERROR, "router.reload"):
        result = await watcher.check()
    assert result is not None and result.outcome == "rejected"
    assert pipeline.classifier is before
    assert count(registry, "rejected") == 1
    assert "rules[1].department: unknown department 'nowhere'" in caplog.text
    assert f"{path}:5:" in caplog.text


async def test_touching_without_changing_content_does_nothing(tmp_path: Path) -> None:
    path, _pipeline, watcher, registry = setup(tmp_path)
    assert await watcher.check() is None  # nothing touched
    write(path, GOOD)
    assert await watcher.check() is None
    assert count(registry, "applied") == count(registry, "rejected") == 0


async def test_new_departments_need_a_restart(tmp_path: Path) -> None:
    path, _pipeline, watcher, _registry = setup(tmp_path)
    write(path, GOOD.replace("[orders, logistics]", "[orders, logistics, vip_desk]"))
    result = await watcher.check()
    assert result is not None and result.outcome == "rejected"
    assert result.problems == ("new departments need a restart: vip_desk",)


async def test_a_deleted_file_is_rejected_not_fatal(tmp_path: Path) -> None:
    path, pipeline, watcher, _registry = setup(tmp_path)
    path.unlink()
    result = await watcher.check()
    assert result is not None and result.outcome == "rejected"
    assert pipeline.classifier.config.rules[0].id == "r1"


async def test_run_polls_until_stopped(tmp_path: Path) -> None:
    path, pipeline, watcher, registry = setup(tmp_path)
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    write(path, GOOD.replace("parcel", "package"))
    for _ in range(100):
        if count(registry, "applied"):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert pipeline.classifier.config.rules[0].keywords == ("package",)
