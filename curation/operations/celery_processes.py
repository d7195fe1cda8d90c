"""The site's Celery worker and beat (and any other command) as subprocesses: what the chart
benchmark, the fault drills and the worker tests start, in one place.

Each process runs in its own process group (so stopping it also stops Celery's pool children),
writes its output to a log file in a folder of the caller's, and counts as started once a given
text appears in that log ("ready." for a worker, "beat: Starting..." for beat).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings

WORKER_READY = "ready."
BEAT_READY = "beat: Starting..."


class ProcessDidNotStart(RuntimeError):
    """A subprocess exited, or did not print its ready text in time; the message ends with the
    last lines of its log."""


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.1):
    """Call `predicate` every `interval` seconds until it returns a true value or `timeout`
    seconds have passed; return its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def postgres_url(settings_dict: Mapping[str, Any]) -> str:
    """A DATABASE_URL naming the database of a Django connection's `settings_dict` (its NAME,
    which during tests is the test database), so a subprocess shares it."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD")
    credentials = user + (f":{quote(password, safe='')}" if password else "")
    host, port = settings_dict.get("HOST") or "localhost", settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{settings_dict['NAME']}"


def celery_command(*arguments: str) -> list[str]:
    """`celery -A osai_index <arguments>` with this interpreter."""
    return [sys.executable, "-m", "celery", "-A", "osai_index", *arguments]


def worker_arguments(queue: str, node_name: str) -> list[str]:
    """A one-process worker on `queue`, named `node_name@<host>`, without the cluster chatter
    (mingle, gossip) that only slows a private worker's start."""
    return [
        "worker",
        "-l",
        "info",
        "-c",
        "1",
        "-Q",
        queue,
        "-n",
        f"{node_name}@%h",
        "--without-mingle",
        "--without-gossip",
    ]


def beat_arguments(schedule_file: Path) -> list[str]:
    return ["beat", "-l", "info", "-s", str(schedule_file)]


class Subprocesses:
    """Subprocesses started in `folder` (their logs: `<name>-<n>.log`) with `env` (default: this
    process's environment) plus each start's extras; `stop_all()` ends every one still running."""

    def __init__(self, folder: Path, env: Mapping[str, str] | None = None):
        self.folder = Path(folder)
        self.env = dict(os.environ if env is None else env)
        self.procs: list[subprocess.Popen] = []

    def start(
        self,
        command: Sequence[str],
        name: str,
        *,
        ready_text: str | None = None,
        timeout: float = 30,
        extra_env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen:
        """Start `command`; with `ready_text`, wait until its log shows it (ProcessDidNotStart
        when the process exits first or `timeout` seconds pass). The process gets `log_path`."""
        log_path = self.folder / f"{name}-{len(self.procs)}.log"
        with open(log_path, "wb") as log:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                list(command),
                cwd=settings.BASE_DIR,
                env={**self.env, **(extra_env or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.log_path = log_path  # type: ignore[attr-defined]  # read by callers and by the ready check
        self.procs.append(proc)
        if ready_text is not None:
            self.wait_ready(proc, ready_text, timeout, name)
        return proc

    @staticmethod
    def log_tail(proc: subprocess.Popen, characters: int = 3000) -> str:
        return Path(proc.log_path).read_text(errors="replace")[-characters:]  # type: ignore[attr-defined]

    def wait_ready(self, proc: subprocess.Popen, ready_text: str, timeout: float, name: str = "process") -> None:
        log_path = Path(proc.log_path)  # type: ignore[attr-defined]
        wait_until(lambda: ready_text in log_path.read_text(errors="replace") or proc.poll() is not None, timeout)
        if proc.poll() is not None or ready_text not in log_path.read_text(errors="replace"):
            state = "exited" if proc.poll() is not None else f"did not start in {timeout:g} s"
            raise ProcessDidNotStart(f"{name} {state}; {log_path}:\n{self.log_tail(proc)}")

    def worker(
        self,
        queue: str,
        node_name: str,
        *,
        wait: bool = True,
        timeout: float = 30,
        extra_env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen:
        return self.start(
            celery_command(*worker_arguments(queue, node_name)),
            "worker",
            ready_text=WORKER_READY if wait else None,
            timeout=timeout,
            extra_env=extra_env,
        )

    def beat(self, *, wait: bool = True, extra_env: Mapping[str, str] | None = None) -> subprocess.Popen:
        return self.start(
            celery_command(*beat_arguments(self.folder / "beat-schedule")),
            "beat",
            ready_text=BEAT_READY if wait else None,
            extra_env=extra_env,
        )

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        """SIGKILL the process's group and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)

    def terminate(self, proc: subprocess.Popen, grace: float = 10) -> None:
        """SIGTERM the process's group, SIGKILL it after `grace` seconds."""
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(grace)
        except ProcessLookupError:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.kill(proc)

    def stop_all(self, *, graceful: bool = True) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                if graceful:
                    self.terminate(proc)
                else:
                    self.kill(proc)
