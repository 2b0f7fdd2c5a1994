"""The broker JVM as an OS process: launching, recognising it from a pidfile, stopping it."""

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from omniroute.localkafka.errors import LocalKafkaError

PIDFILE = "broker.pid"
BOOTSTRAP_FILE = "bootstrap"
LOG_FILE = "broker.log"

_JVM_OPTS = [
    # Small and predictable: a demo or test broker shares 2 cores with the code it serves.
    "-Xms128m",
    "-Xmx512m",
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
]


def java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    return "java"


def java_command(
    libs: Path,
    data_dir: Path,
    main: list[str],
    heap: str | None = None,
    extra_opts: list[str] | None = None,
) -> list[str]:
    opts = [o for o in _JVM_OPTS if not (heap and o.startswith("-Xmx"))]
    if heap:
        opts.append(f"-Xmx{heap}")
    opts += extra_opts or []
    return [
        java_executable(),
        *opts,
        f"-Dlog4j2.configurationFile={data_dir / 'log4j2.properties'}",
        f"-Dkafka.logs.dir={data_dir}",
        "-cp",
        str(libs / "*"),  # the JVM expands the wildcard itself
        *main,
    ]


def launch(cmd: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        # A session of its own: Ctrl-C in the caller's terminal must reach our stop() (which
        # sends SIGTERM), not the JVM directly, and `start` must outlive the CLI process.
        try:
            return subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise LocalKafkaError(f"{cmd[0]} not found: install Java 17+ or set JAVA_HOME") from exc


def log_size(log_path: Path) -> int:
    try:
        return log_path.stat().st_size
    except FileNotFoundError:
        return 0


def log_excerpt(log_path: Path, since: int = 0, tail: int = 30) -> str:
    """The errors logged since byte offset `since`, then the last lines. The cause of a failed
    start (a port in use, a bad config) comes hundreds of lines before the shutdown noise."""
    try:
        with log_path.open("rb") as handle:
            handle.seek(max(since, log_size(log_path) - 1024 * 1024))
            lines = handle.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return f"(no broker log at {log_path})"
    errors = [line for line in lines if _ERROR.search(line)][:12]
    parts = [f"Errors in {log_path}:", *errors] if errors else []
    parts += [f"Last lines of {log_path}:", *lines[-tail:]]
    return "\n".join(parts)


_ERROR = re.compile(r"\] (ERROR|FATAL) |^Caused by: |^Error: |^Exception in thread ")


def read_pidfile(data_dir: Path) -> int | None:
    """The pid of the broker serving data_dir, if it still runs; stale pidfiles are ignored."""
    try:
        pid = int((data_dir / PIDFILE).read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if is_broker_for(pid, data_dir) else None


def is_broker_for(pid: int, data_dir: Path) -> bool:
    # Pids are reused: only signal a process whose command line is our broker on this data dir.
    argv = cmdline(pid)
    return "kafka.Kafka" in argv and str(data_dir / "server.properties") in argv


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return raw.decode(errors="replace").split("\0")


def terminate(pid: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    """SIGTERM (Kafka's clean shutdown), then SIGKILL if it is not gone within timeout.
    True when SIGTERM sufficed."""
    _signal(pid, signal.SIGTERM)
    if _wait_gone(pid, timeout, proc):
        return True
    kill(pid, proc)
    return False


def kill(pid: int, proc: subprocess.Popen[bytes] | None = None) -> None:
    """SIGKILL at once: a crash, with no controlled shutdown."""
    _signal(pid, signal.SIGKILL)
    if not _wait_gone(pid, 10.0, proc):
        raise LocalKafkaError(f"Kafka broker pid {pid} survived SIGKILL")


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float, proc: subprocess.Popen[bytes] | None) -> bool:
    if proc is not None:  # our child: wait() also reaps it, so no zombie keeps the pid alive
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _exists(pid):
            return True
        time.sleep(0.1)
    return not _exists(pid)


def _exists(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # A zombie has exited; it only waits for a parent that may never reap it.
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
