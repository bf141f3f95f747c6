"""A primary and a streaming standby of it, started by a test in a temporary directory.

The standby is a real one: ``pg_basebackup`` of the primary, started with ``standby.signal``
and streaming the primary's WAL, answering ``pg_is_in_recovery() = true``.

Its primary is a server of its own, not the suite's: the suite's server need not take
replication connections (CI's does not: its ``pg_hba.conf`` has no ``replication`` entry, and
a test may not change a shared server's configuration), while a server made here with
``initdb`` takes them from 127.0.0.1. It runs the same PostgreSQL binaries as the suite's server (the major version is
asked of it) and starts with a copy of the test database (``pg_dump``): the schema, with any
row-level security policies, and the rows migrations made.

Both servers listen on 127.0.0.1 on free ports and keep their sockets and data in a fresh
temporary directory, so xdist workers never collide; :meth:`ReplicaCluster.stop` stops both
and removes it. PostgreSQL refuses to run as root: as root the servers run as ``postgres``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DATABASE = "hotgigs"
SERVER_USER = "postgres"
_INITDB = ["--locale=C", "--no-sync"]
# A standby: the WAL streamed during the copy, standby.signal and primary_conninfo written.
_BASEBACKUP = ["-X", "stream", "-R", "-c", "fast", "--no-sync"]


class ClusterError(RuntimeError):
    """The cluster could not be made; the message says which step and shows its output."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def binaries_dir(major: int) -> Path | None:
    """Where the server binaries of PostgreSQL ``major`` are: ``PG_BINDIR``, the packaged
    layout, or the ``PATH``."""
    candidates = [os.environ.get("PG_BINDIR", ""), f"/usr/lib/postgresql/{major}/bin"]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file() and (Path(candidate) / "pg_basebackup").is_file():
            return Path(candidate)
    return None


@dataclass
class ReplicaCluster:
    bindir: Path
    root: Path = field(init=False)
    primary_port: int = field(init=False, default=0)
    standby_port: int = field(init=False, default=0)
    _started: list[Path] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        # Short: the socket path must fit in 107 bytes.
        self.root = Path(tempfile.mkdtemp(prefix=f"hg-replica-{worker}-"))
        self._as_server_user = os.geteuid() == 0
        if self._as_server_user:
            entry = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o700)

    # -- commands --------------------------------------------------------------------------

    def _run(self, step: str, args: list[str], *, stdin: int | None = None, timeout: float = 120) -> str:
        if self._as_server_user:
            # util-linux's runuser lives in /usr/sbin, which a minimal PATH may leave out.
            runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin") or "runuser"
            args = [runuser, "-u", SERVER_USER, "--", *args]
        try:
            done = subprocess.run(  # noqa: S603 - our own arguments
                args, stdin=stdin, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.root
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ClusterError(f"{step}: {exc}") from exc
        if done.returncode != 0:
            raise ClusterError(f"{step} exited {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
        return done.stdout

    @staticmethod
    def _address(port: int) -> list[str]:
        return ["-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]

    def _bin(self, name: str) -> str:
        return str(self.bindir / name)

    def _conf(self, data: Path, port: int, *, extra: str = "") -> None:
        settings = (
            f"port = {port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\n"
            "wal_level = replica\n"
            "max_wal_senders = 4\n"
            "hot_standby = on\n"
            "fsync = off\n"
            "full_page_writes = off\n"
            "shared_buffers = 16MB\n"
            "max_connections = 40\n"
            f"{extra}"
        )
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(settings)

    def _start(self, data: Path, name: str) -> None:
        self._run(
            f"start the {name}",
            [self._bin("pg_ctl"), "-D", str(data), "-l", str(self.root / f"{name}.log"), "-w", "-t", "60", "start"],
        )
        self._started.append(data)

    def _sql(self, port: int, sql: str, *, database: str = DATABASE) -> str:
        return self._run(
            f"psql on {port}",
            [self._bin("psql"), *self._address(port), "-d", database, "-Atqc", sql],
        ).strip()

    # -- the cluster -----------------------------------------------------------------------

    def start(self, *, source_url: str) -> None:
        """Make the primary (a copy of ``source_url``'s database) and its streaming standby."""
        primary, standby = self.root / "primary", self.root / "standby"
        self.primary_port = free_port()
        self._run(
            "initdb",
            [self._bin("initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8", *_INITDB],
        )
        self._conf(primary, self.primary_port)
        self._start(primary, "primary")
        self._sql(self.primary_port, f"create database {DATABASE}", database="postgres")
        dump = subprocess.Popen(  # noqa: S603 - our own arguments
            [self._bin("pg_dump"), "--no-owner", "--no-privileges", "--dbname", source_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert dump.stdout is not None
        try:
            self._run(
                "restore the test database's copy",
                [self._bin("psql"), *self._address(self.primary_port), "-d", DATABASE, "-q", "-v", "ON_ERROR_STOP=1"],
                stdin=dump.stdout.fileno(),
            )
        finally:
            dump.stdout.close()
            _, dump_errors = dump.communicate(timeout=120)
        if dump.returncode != 0:
            raise ClusterError(f"pg_dump exited {dump.returncode}: {dump_errors.decode()[-2000:]}")

        self.standby_port = free_port()
        self._run(
            "pg_basebackup",
            [self._bin("pg_basebackup"), *self._address(self.primary_port), "-D", str(standby), *_BASEBACKUP],
        )
        # Appended last in postgresql.auto.conf, so the standby's own port wins over the copy's.
        self._conf(standby, self.standby_port)
        self._start(standby, "standby")
        self.wait_for_streaming()

    def wait_for_streaming(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            state = self._sql(self.primary_port, "select string_agg(state, ',') from pg_stat_replication")
            if state == "streaming":
                return
            if time.monotonic() > deadline:
                raise ClusterError(f"the standby is not streaming (pg_stat_replication: {state!r})")
            time.sleep(0.2)

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DATABASE}"

    def logs(self) -> str:
        parts = []
        for name in ("primary", "standby"):
            path = self.root / f"{name}.log"
            if path.exists():
                parts.append(f"--- {name}.log\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        for data in reversed(self._started):
            with contextlib.suppress(ClusterError):
                self._run("stop", [self._bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], timeout=60)
        self._started.clear()
        shutil.rmtree(self.root, ignore_errors=True)
