"""LocalKafka: one single-node KRaft Apache Kafka (broker and controller in one JVM) on
127.0.0.1, for the demo and the integration tests."""

import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

from omniroute.localkafka import cds, config, process
from omniroute.localkafka.errors import LocalKafkaError
from omniroute.localkafka.jars import KAFKA_VERSION, ensure_jars
from omniroute.localkafka.probe import is_ready


class LocalKafka:
    """`start()` returns the bootstrap address; `stop()` or leaving a `with` block ends it.

    port / controller_port 0 pick free ports on the first start and keep them, so `restart()`
    comes back on the same address with the same data.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int = 0,
        controller_port: int = 0,
        extra_props: Mapping[str, str] | None = None,
        *,
        heap: str = "512m",
        version: str = KAFKA_VERSION,
        class_sharing: bool = True,
        format_args: Sequence[str] = (),
        cluster_id: str | None = None,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self._port = port
        self._controller_port = controller_port
        self._extra = dict(extra_props or {})
        self._heap = heap
        self._version = version
        self._class_sharing = class_sharing
        # Extra `kafka-storage format` arguments, for what KRaft only takes at format time:
        # e.g. ["--add-scram", "SCRAM-SHA-512=[name=alice,password=secret]"] (SCRAM users).
        self._format_args = list(format_args)
        # Only for a second node joining a cluster (with `extra_props` naming the first node's
        # controller): every node must be formatted with the cluster's id.
        self._cluster_id = cluster_id
        self._proc: subprocess.Popen[bytes] | None = None
        self._argv: list[str] = []  # the running broker's command line
        self._log_mark = 0  # where this start's part of broker.log begins

    @property
    def port(self) -> int:
        return self._port

    @property
    def controller_port(self) -> int:
        return self._controller_port

    @property
    def bootstrap(self) -> str:
        return f"{config.HOST}:{self._port}"

    @property
    def cluster_id(self) -> str | None:
        """The id the storage was formatted with (None before the first start)."""
        return config.read_cluster_id(self.data_dir / "logs" / "meta.properties")

    @property
    def log_path(self) -> Path:
        return self.data_dir / process.LOG_FILE

    @property
    def pid(self) -> int | None:
        """The broker's pid while it runs (also one started by another process on this data dir)."""
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return process.read_pidfile(self.data_dir)

    @property
    def running(self) -> bool:
        return self.pid is not None

    def start(self, timeout: float = 90.0) -> str:
        """Format storage if new, launch the JVM, wait until it serves Metadata requests.

        `timeout` bounds formatting and startup; a first-time jar fetch has its own bound.
        """
        if self._proc is not None and self._proc.poll() is None:
            return self.bootstrap
        other = process.read_pidfile(self.data_dir)
        if other is not None:
            raise LocalKafkaError(f"a broker (pid {other}) already runs on {self.data_dir}")
        libs = ensure_jars(self._version)
        deadline = time.monotonic() + timeout
        self._prepare()
        self._log_mark = process.log_size(self.log_path)
        if not (self.data_dir / "logs" / "meta.properties").is_file():
            self._format(libs, deadline)
        main = ["kafka.Kafka", str(self._props_path)]
        cmd = process.java_command(libs, self.data_dir, main, self._heap, self._cds_flags(libs))
        self._proc, self._argv = process.launch(cmd, self.log_path), cmd
        (self.data_dir / process.PIDFILE).write_text(f"{self._proc.pid}\n", encoding="ascii")
        self._wait_ready(deadline, timeout)
        (self.data_dir / process.BOOTSTRAP_FILE).write_text(self.bootstrap + "\n", "ascii")
        return self.bootstrap

    def stop(self, timeout: float = 30.0, *, crash: bool = False) -> None:
        """SIGTERM for a clean shutdown, SIGKILL after `timeout`. No-op when not running.

        `crash`: SIGKILL at once, no controlled shutdown: the harsher fault, for tests. (A clean
        stop of one node leaves every partition leaderless while commits may still be completing;
        the pinned Kafka writes their markers once the partitions have a leader again, which
        4.3.0-4.4.0 do not: deploy/kafka/README.md.)"""
        pid = self.pid
        if pid is not None:
            proc = self._proc if self._proc is not None and self._proc.pid == pid else None
            argv = process.cmdline(pid)
            # The bootstrap file is written once the broker was ready: only a broker that got
            # that far loaded the classes worth archiving.
            was_ready = (self.data_dir / process.BOOTSTRAP_FILE).is_file()
            if crash:
                process.kill(pid, proc)
                clean = False
            else:
                clean = process.terminate(pid, timeout + cds.dump_time(argv), proc)
            cds.adopt(argv, publish=clean and was_ready)
        elif self._proc is not None:  # died by itself, during start-up or later
            cds.adopt(self._argv, publish=False)
        self._proc = None
        for name in (process.PIDFILE, process.BOOTSTRAP_FILE):
            (self.data_dir / name).unlink(missing_ok=True)

    def restart(self, timeout: float = 90.0, *, crash: bool = False) -> str:
        self.stop(crash=crash)
        return self.start(timeout)

    def detach(self) -> None:
        """Forget the child so it outlives this interpreter; `stop()` still finds it by pidfile."""
        self._proc = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def _props_path(self) -> Path:
        return self.data_dir / "server.properties"

    def _cds_flags(self, libs: Path) -> list[str]:
        archive = cds.archive_path(libs, process.java_executable())
        return cds.jvm_flags(archive) if self._class_sharing and archive else []

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._port == 0 or self._controller_port == 0:
            picked = iter(config.free_ports(2))
            self._port = self._port or next(picked)
            self._controller_port = self._controller_port or next(picked)
        props = config.server_properties(
            self.data_dir, self._port, self._controller_port, self._extra
        )
        self._props_path.write_text(config.render_properties(props), encoding="utf-8")
        (self.data_dir / "log4j2.properties").write_text(config.log4j2_properties(), "utf-8")

    def _format(self, libs: Path, deadline: float) -> None:
        main = ["kafka.tools.StorageTool", "format", "--ignore-formatted"]
        cluster_id = self._cluster_id or config.new_cluster_id()
        main += ["-t", cluster_id, "-c", str(self._props_path), *self._format_args]
        cmd = process.java_command(libs, self.data_dir, main, "256m")
        with self.log_path.open("ab") as log:
            try:
                done = subprocess.run(
                    cmd,
                    check=False,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    timeout=max(1.0, deadline - time.monotonic()),
                )
            except subprocess.TimeoutExpired as exc:
                raise self._failure("formatting the storage timed out") from exc
            except FileNotFoundError as exc:
                raise LocalKafkaError(f"{cmd[0]} not found: install Java 17+") from exc
        if done.returncode != 0:
            raise self._failure(f"formatting the storage failed (rc={done.returncode})")

    def _wait_ready(self, deadline: float, timeout: float) -> None:
        assert self._proc is not None
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                self.stop()
                raise self._failure(f"the broker exited with code {code} during startup")
            if is_ready(config.HOST, self._port, timeout=min(2.0, timeout)):
                return
            time.sleep(0.25)
        self.stop()
        raise self._failure(f"the broker was not ready within {timeout:g} s")

    def _failure(self, what: str) -> LocalKafkaError:
        excerpt = process.log_excerpt(self.log_path, self._log_mark)
        return LocalKafkaError(f"Kafka {self._version} on {self.data_dir}: {what}.\n{excerpt}")
