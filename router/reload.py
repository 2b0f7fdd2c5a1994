"""Hot reload of the routing config: poll the file (or directory) every few seconds; a changed,
valid config replaces `pipeline.classifier`, an invalid one is logged and counted and the old
one stays active.

The runner calls the pipeline once per record from the event loop, so assigning the new
classifier between two records is atomic: no record is half-classified by two configs, none is
lost, and each decision names the version that produced it. Building (YAML, validation, a new
model) runs in a worker thread so it never stalls the loop.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter

from intake.errors import ConfigError
from router.assemble import rebuild
from router.classifier import Classifier
from router.config.loader import build, config_files, content_version, read_sources
from router.config.yamlmap import ConfigProblems
from router.pipeline import Pipeline

log = logging.getLogger(__name__)
Stamp = tuple[tuple[str, int, int], ...]


class ReloadMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.reloads = Counter(
            "omniroute_config_reloads_total",
            "Routing config reloads by outcome: applied, rejected (invalid; the old one stays)",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("applied", "rejected"):
            self.reloads.labels(outcome)


@dataclass(frozen=True, slots=True)
class Reloaded:
    outcome: str  # applied | rejected
    version: str | None
    problems: tuple[str, ...] = ()


def _stamp(path: Path) -> Stamp:
    """Cheap change detection: names, sizes and mtimes; the content hash decides."""
    try:
        files = config_files(path)
        return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        return ()


class ConfigWatcher:
    def __init__(
        self, path: Path, pipeline: Pipeline, metrics: ReloadMetrics, interval_s: float = 5.0
    ) -> None:
        self.path = path
        self.pipeline = pipeline
        self.metrics = metrics
        self.interval_s = interval_s
        self._stamp = _stamp(path)

    def _candidate(self) -> Classifier | Reloaded | None:
        """Runs in a worker thread. None: the content did not change."""
        live = self.pipeline.classifier
        version = None
        try:
            sources = read_sources(self.path)
            version = content_version(sources)
            if version == live.config.version:
                return None
            base = self.path if self.path.is_dir() else self.path.parent
            candidate = rebuild(live, build(sources, base))
        except ConfigError as exc:
            found = exc.problems if isinstance(exc, ConfigProblems) else [exc]
            return Reloaded("rejected", version, tuple(map(str, found)))
        added = set(candidate.config.all_departments()) - set(live.config.all_departments())
        if added:
            # Their topics may not exist, and the producer's output topics are fixed at start.
            reason = f"new departments need a restart: {', '.join(sorted(added))}"
            return Reloaded("rejected", version, (reason,))
        return candidate

    async def check(self) -> Reloaded | None:
        stamp = _stamp(self.path)
        if stamp == self._stamp:
            return None
        self._stamp = stamp
        result = await asyncio.to_thread(self._candidate)
        if result is None:
            return None
        if isinstance(result, Reloaded):
            self.metrics.reloads.labels("rejected").inc()
            for problem in result.problems:
                log.error(
                    "routing config rejected, keeping %s: %s",
                    self.pipeline.classifier.config.version,
                    problem,
                )
            return result
        old = self.pipeline.classifier.config.version
        self.pipeline.classifier = result  # between two records: see the module docstring
        self.metrics.reloads.labels("applied").inc()
        log.info("routing config %s applied (was %s)", result.config.version, old)
        return Reloaded("applied", result.config.version)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval_s)
            if stop.is_set():
                return
            try:
                await self.check()
            except Exception:  # a watcher bug must never take the router down
                log.exception("routing config check failed")
