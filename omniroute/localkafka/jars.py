"""Where the Kafka jars live and how they get there: Maven resolves deploy/kafka/pom.xml once
into a per-version cache directory, which every later start reuses."""

import fcntl
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from omniroute.localkafka.errors import LocalKafkaError

# Kept in step with <kafka.version> in deploy/kafka/pom.xml; passed to Maven explicitly so this
# constant wins. Why 4.2.2 and not 4.3.x, 4.4.0 or 3.9.x: deploy/kafka/README.md.
KAFKA_VERSION = "4.2.2"

_MARKER = ".fetched"


def cache_dir() -> Path:
    """`$OMNIROUTE_CACHE_DIR`, else `~/.cache/omniroute`."""
    override = os.environ.get("OMNIROUTE_CACHE_DIR")
    return Path(override).expanduser() if override else Path.home() / ".cache" / "omniroute"


def kafka_home(version: str = KAFKA_VERSION) -> Path:
    return cache_dir() / f"kafka-{version}"


def libs_dir(version: str = KAFKA_VERSION) -> Path:
    return kafka_home(version) / "libs"


def pom_path() -> Path:
    """The pom ships in the source tree, not in the wheel: `$OMNIROUTE_KAFKA_POM` points at it
    when the package is installed elsewhere."""
    override = os.environ.get("OMNIROUTE_KAFKA_POM")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "deploy" / "kafka" / "pom.xml"


def jars_present(version: str = KAFKA_VERSION) -> bool:
    # The marker is written last, so a fetch that died half-way never counts as present.
    return (kafka_home(version) / _MARKER).is_file() and libs_dir(version).is_dir()


def ensure_jars(version: str = KAFKA_VERSION, *, timeout: float = 900.0) -> Path:
    """Return the directory of broker jars, fetching them with Maven first if needed."""
    if jars_present(version):
        return libs_dir(version)
    home = kafka_home(version)
    home.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with _exclusive(home.parent / f"kafka-{version}.lock", deadline):
        if jars_present(version):  # another process fetched while we waited for the lock
            return libs_dir(version)
        _fetch(version, home, deadline)
    return libs_dir(version)


def _fetch(version: str, home: Path, deadline: float) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LocalKafkaError("Maven (mvn) is needed once to fetch the Kafka jars: not on PATH")
    pom = pom_path()
    if not pom.is_file():
        raise LocalKafkaError(f"{pom} not found; set OMNIROUTE_KAFKA_POM to deploy/kafka/pom.xml")
    partial, libs = home / "libs.partial", home / "libs"
    (home / _MARKER).unlink(missing_ok=True)
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(libs, ignore_errors=True)
    cmd = [
        mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
        f"-DoutputDirectory={partial}", f"-Dkafka.version={version}", "-DincludeScope=runtime",
    ]  # fmt: skip
    try:
        remaining = max(1.0, deadline - time.monotonic())
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=remaining)
    except subprocess.TimeoutExpired as exc:
        raise LocalKafkaError(f"Maven did not fetch Kafka {version} in time") from exc
    broker_jar = partial / f"kafka_2.13-{version}.jar"
    if done.returncode != 0 or not broker_jar.is_file():
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise LocalKafkaError(
            f"Maven failed to fetch Kafka {version} (rc={done.returncode}):\n{tail}"
        )
    partial.rename(libs)
    jars = sorted(p.name for p in libs.glob("*.jar"))
    (home / _MARKER).write_text("\n".join(jars) + "\n", encoding="utf-8")


@contextmanager
def _exclusive(lock_path: Path, deadline: float) -> Iterator[None]:
    """Serialise fetches across processes (a test session and a `make demo` may race)."""
    with lock_path.open("a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LocalKafkaError(f"timed out waiting for {lock_path}") from None
                time.sleep(0.5)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
