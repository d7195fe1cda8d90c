"""Private PostgreSQL and Redis instances for the fault drills, on ports of their own.

A drill kills, stalls or restarts these, never a shared server. PostgreSQL runs from Debian's
binaries (`/usr/lib/postgresql/<version>/bin`, `OSAI_DRILL_PG_BIN` to override) in a throw-away
data folder with trust authentication on 127.0.0.1; run as root, the server runs as the
`postgres` system user, as `initdb` requires.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PG_BIN_CANDIDATES = [
    Path(os.environ.get("OSAI_DRILL_PG_BIN", "/usr/lib/postgresql/15/bin")),
    *sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True),
]


class ServiceError(RuntimeError):
    """A private service could not be started or controlled; the message says which and why."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


class PrivateRedis:
    """A redis-server on `port` with its files in `folder`; no persistence (like a lost instance)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = Path(folder), port
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            raise ServiceError("redis-server is not installed (Debian: apt-get install redis-server)")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        if not wait_for_port(self.port, 10):
            raise ServiceError(f"private redis on port {self.port} did not start; see {self.folder / 'redis.log'}")

    def kill(self) -> None:
        """SIGKILL: the server vanishes with everything it held."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        """SIGSTOP: the port still accepts connections (the kernel's backlog), nothing answers."""
        self._running().send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._running().send_signal(signal.SIGCONT)

    def _running(self) -> subprocess.Popen:
        if self.process is None:
            raise RuntimeError("the service was never started")
        return self.process

    def stop(self) -> None:
        self.kill()


class PrivatePostgres:
    """A PostgreSQL cluster in `folder` on `port` (initdb on first start)."""

    def __init__(self, folder: Path, port: int):
        self.folder, self.port = Path(folder), port
        found = next((b for b in PG_BIN_CANDIDATES if (b / "pg_ctl").exists()), None)
        if found is None:
            raise ServiceError("PostgreSQL server binaries not found (Debian: apt-get install postgresql-15)")
        self.bin: Path = found
        self.as_postgres = os.geteuid() == 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check=True, timeout=120) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd="/")
        if check and done.returncode != 0:
            raise ServiceError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        return done

    def _chown(self, path: Path) -> None:
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._chown(self.folder)
        if not (self.data / "PG_VERSION").exists():
            self._run(
                "initdb",
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off",
            "start",
        )

    def restart(self) -> None:
        """A fast restart (pg_ctl restart -m fast): every connection is cut, the server comes back."""
        # With its log file named, the new server does not hold on to our output pipes.
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "30",
            "-m",
            "fast",
            "restart",
        )

    def create_database(self, name: str) -> None:
        self._run(
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-qc",
            f'CREATE DATABASE "{name}"',
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "30", "-m", "immediate", "stop", check=False)
