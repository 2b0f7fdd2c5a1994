"""Class-data sharing for the broker JVM. Loading and verifying Kafka's classes is most of its
start-up on 2 cores; a dynamic CDS archive (JDK 13+) roughly halves it.

The first broker runs with -XX:ArchiveClassesAtExit and writes the archive when it exits after
SIGTERM; `adopt()` then moves it into place atomically. Every later broker maps it. The name is
keyed by the JVM build and the jar set: an archive from another JDK would be ignored by the JVM
(with a warning), never misused, but a new key makes a fresh one get built."""

import contextlib
import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path

_DUMP_FLAG = "-XX:ArchiveClassesAtExit="
_PARTIAL = ".partial"


def archive_path(libs: Path, java: str) -> Path | None:
    """None when there is no java to key it by (the launch itself will report that)."""
    found = shutil.which(java)
    if found is None:
        return None
    java_bin = Path(found)
    key = hashlib.sha256()
    for path in (java_bin, libs):
        stat = path.stat()
        key.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|".encode())
    return libs.parent / f"kafka-{key.hexdigest()[:12]}.jsa"


def jvm_flags(archive: Path) -> list[str]:
    # The JVM reports every class it cannot archive as a warning: 100+ lines of broker.log.
    quiet = "-Xlog:cds=error"
    if archive.is_file():
        return [quiet, f"-XX:SharedArchiveFile={archive}"]
    _sweep(archive.parent)
    partial = archive.with_name(f"{archive.name}.{uuid.uuid4().hex}{_PARTIAL}")
    return [quiet, f"{_DUMP_FLAG}{partial}"]


def dump_time(argv: list[str]) -> float:
    """Extra shutdown time for a JVM that writes the archive as it exits: 25 s were measured
    with the 2 cores fully loaded, and a SIGKILL half-way would waste the whole effort."""
    return 60.0 if any(arg.startswith(_DUMP_FLAG) for arg in argv) else 0.0


def adopt(argv: list[str], publish: bool = True) -> None:
    """After the JVM started with `argv` exited, publish the archive it wrote, or only delete it
    (publish=False: a broker that died during start-up archived too few classes to be worth it)."""
    for arg in argv:
        if arg.startswith(_DUMP_FLAG) and arg.endswith(_PARTIAL):
            partial = Path(arg.removeprefix(_DUMP_FLAG))
            final = partial.with_name(partial.name.split(".jsa.", 1)[0] + ".jsa")
            if publish and partial.is_file() and partial.stat().st_size > 0:
                os.replace(partial, final)  # atomic: concurrent brokers never see half a file
            partial.unlink(missing_ok=True)


def _sweep(directory: Path) -> None:
    # Dumps of brokers that were never stopped through LocalKafka (their owner died) would
    # otherwise pile up at ~50 MB each. A day is far longer than any broker start.
    cutoff = time.time() - 86400
    for stale in directory.glob(f"*.jsa.*{_PARTIAL}"):
        with contextlib.suppress(OSError):
            if stale.stat().st_mtime < cutoff:
                stale.unlink()
