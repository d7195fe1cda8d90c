"""What every fault drill shares: private services, the site's processes, readers, approvals,
and the measure of chart convergence.

A drill command runs twice. Outside, it starts a private PostgreSQL cluster and a private Redis
on free ports, then runs itself again ("inside") with DATABASE_URL and REDIS_URL pointing at
them, so that the drill's own writes, its web server (gunicorn), Celery worker and beat all use
the services the drill breaks. Inside, it prepares an index of synthetic models, starts the
processes and readers, breaks a service and measures:

- approvals made (the service returned) and kept (found applied in the database afterwards);
- reader requests and errors (a 5xx or no answer), with the time of each error;
- seconds from the service's return until every chart shows the data (the newest version of
  each chart has the hash of its freshly computed numbers, and the outbox is empty).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from curation.operations.celery_processes import Subprocesses, wait_until
from curation.operations.drills.services import PrivatePostgres, PrivateRedis, free_port, wait_for_port

PROJECT_ROOT = Path(settings.BASE_DIR)
STATE_VARIABLE = "OSAI_DRILL_STATE"


# --- outside: private services and the inner run ---------------------------------------------


def run_outside(command: str, arguments: list[str], write) -> int:
    """Start private PostgreSQL + Redis, run `manage.py <command> --inside` against them, clean up."""
    root = Path(tempfile.mkdtemp(prefix=f"osai-{command}-"))
    root.chmod(0o755)  # the private PostgreSQL runs as the postgres user and must reach its folder
    postgres = PrivatePostgres(root / "postgres", free_port())
    redis = PrivateRedis(root / "redis", free_port())
    started = time.monotonic()
    status = 1
    try:
        postgres.start()
        postgres.create_database("osai_drill")
        redis.start()
        write(
            f"private services: PostgreSQL on port {postgres.port}, Redis on port {redis.port} "
            f"(ready in {time.monotonic() - started:.1f} s)"
        )
        state = {
            "root": str(root),
            "pg_folder": str(postgres.folder),
            "pg_port": postgres.port,
            "redis_folder": str(redis.folder),
            "redis_port": redis.port,
            "redis_pid": redis.process.pid,
        }
        env = {
            **os.environ,
            "DATABASE_URL": postgres.url("osai_drill"),
            "REDIS_URL": redis.url,
            "CACHE_KEY_PREFIX": "drill",
            "CELERY_TASK_DEFAULT_QUEUE": "drill",
            "MEDIA_ROOT": str(root / "media"),
            # Production settings; the drill's clients speak plain HTTP to 127.0.0.1.
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or os.urandom(32).hex(),
            "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            STATE_VARIABLE: json.dumps(state),
        }
        env.pop("DJANGO_TEST_DB_NAME", None)
        inner = subprocess.run(
            [sys.executable, "manage.py", command, "--inside", *arguments], cwd=PROJECT_ROOT, env=env
        )
        status = inner.returncode
        return status
    finally:
        redis.stop()
        postgres.stop()
        if status == 0:
            subprocess.run(["rm", "-rf", str(root)], check=False)
        else:  # the processes' logs tell why
            write(f"logs of the web server, worker and beat kept in {root / 'logs'}")


def state() -> dict:
    return json.loads(os.environ[STATE_VARIABLE])


class AdoptedRedis(PrivateRedis):
    """The outside run's private Redis, as the inside run controls it (by pid, then restarted)."""

    def __init__(self):
        info = state()
        super().__init__(Path(info["redis_folder"]), info["redis_port"])
        self.pid = info["redis_pid"]

    def kill(self) -> None:
        if self.process is not None:
            return super().kill()
        os.kill(self.pid, signal.SIGCONT)
        os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and wait_for_port(self.port, 0.05):
            time.sleep(0.05)

    def pause(self) -> None:
        os.kill(self.process.pid if self.process else self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid if self.process else self.pid, signal.SIGCONT)


def adopted_postgres() -> PrivatePostgres:
    info = state()
    return PrivatePostgres(Path(info["pg_folder"]), info["pg_port"])


# --- inside: the site's processes ------------------------------------------------------------


class Processes(Subprocesses):
    """gunicorn, Celery worker and beat as the drill's subprocesses (each in its own group)."""

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.web_port = free_port()

    def web(self) -> subprocess.Popen:
        proc = self.start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "osai_index.wsgi",
                "-b",
                f"127.0.0.1:{self.web_port}",
                "-k",
                "gthread",
                "-w",
                "1",
                "--threads",
                "8",
                "--timeout",
                "60",
            ],
            "web",
        )
        if not wait_for_port(self.web_port, 30):
            raise RuntimeError(f"gunicorn did not start; see {proc.log_path}")  # type: ignore[attr-defined]
        return proc

    def worker(self, wait: bool = True) -> subprocess.Popen:  # type: ignore[override]  # the drill's queue, numbered names
        return super().worker(settings.CELERY_TASK_DEFAULT_QUEUE, f"drill-{len(self.procs)}", wait=wait, timeout=60)

    def beat(self) -> subprocess.Popen:  # type: ignore[override]  # the drill does not wait for beat
        return super().beat(wait=False)


class SupervisedWorker:
    """A worker restarted whenever it exits, one second later: what the documented systemd unit
    (Restart=always, RestartSec=1) does. Counts the restarts."""

    def __init__(self, processes: Processes):
        self.processes = processes
        self.proc = processes.worker()
        self.restarts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            if self.proc.poll() is not None:
                if self._stop.wait(1.0):
                    return
                self.proc = self.processes.worker(wait=False)
                self.restarts += 1

    def kill(self) -> None:
        self.processes.kill(self.proc)

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


# --- readers ---------------------------------------------------------------------------------

READER_PATHS = [
    "/",
    "/models/",
    "/models/?type=text",
    "/organisations/",
    "/charts/",
    "/models.json",
    "/api/v1/models/",
    "/api/v1/organisations/",
    "/charts/academic-share.json",
]


@dataclass
class Readers:
    """Threads reading the site in a loop; every answer and error is counted, errors with a time."""

    base_url: str
    threads: int = 4
    paths: list[str] = field(default_factory=lambda: list(READER_PATHS))
    requests: int = 0
    errors: list[tuple[float, str, str]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _read(self, index: int) -> None:
        i = index
        while not self._stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            problem = None
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=15) as response:  # noqa: S310 - the drill's own loopback server
                    response.read()
            except urllib.error.HTTPError as exc:
                if exc.code >= 500:
                    problem = f"HTTP {exc.code}"
            except Exception as exc:  # noqa: BLE001 - no answer at all counts as an error too
                problem = type(exc).__name__
            with self._lock:
                self.requests += 1
                if problem:
                    self.errors.append((time.monotonic(), path, problem))

    def start(self) -> Readers:
        for index in range(self.threads):
            thread = threading.Thread(target=self._read, args=(index,), daemon=True)
            thread.start()
            self._workers.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._workers:
            thread.join(20)

    def errors_between(self, start: float, end: float) -> int:
        return sum(1 for moment, _, _ in self.errors if start <= moment <= end)


# --- data, approvals, convergence ------------------------------------------------------------


def prepare_index(models: int, write) -> None:
    """Migrate the empty database, load the registry and `models` synthetic models, draw the charts."""
    from django.core.management import call_command

    from curation.charts.publish import regenerate
    from curation.roles import ensure_roles
    from curation.synthetic import populate_synthetic

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    ensure_roles()
    populate_synthetic(models, prefix="Drill")
    regenerate(trigger="setup", render_all=True)
    write(f"index prepared: {models} models, charts drawn ({time.monotonic() - started:.1f} s)")


def reviewers():
    """(curator, reviewer) accounts for the drill's approvals."""
    from django.contrib.auth.models import Group, User

    from curation import roles

    def member(name, role):
        user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": True})
        user.groups.add(Group.objects.get(name=role))
        return user

    return member("drill-curator", roles.CURATOR), member("drill-reviewer", roles.REVIEWER)


def proposals(count: int):
    """`count` pending change requests, each flipping a model's performance class (changes charts)."""
    from curation import vocab
    from curation.models import AIModel
    from curation.review.services import propose

    curator, _ = reviewers()
    flips = {vocab.PerformanceClass.LATEST: vocab.PerformanceClass.FULL}
    models = list(AIModel.objects.public().order_by("id")[:count])
    if len(models) < count:
        raise RuntimeError(f"the drill needs {count} models, the index has {len(models)}")
    return [
        propose(
            m,
            "performance_class",
            flips.get(m.performance_class, vocab.PerformanceClass.LATEST),
            user=curator,
            rationale="Drill: reclassified after a benchmark review",
        )
        for m in models
    ]


@dataclass
class ApprovalLog:
    made: list[int] = field(default_factory=list)  # change request ids the service applied
    refused: list[tuple[int, str]] = field(default_factory=list)
    slowest_seconds: float = 0.0


def approve_one(change_request, log: ApprovalLog) -> None:
    from django.db import close_old_connections

    from curation.review.services import approve

    _, reviewer = reviewers_cached()
    close_old_connections()  # what Django does at the start of every request
    started = time.monotonic()
    try:
        approve(change_request, reviewer)
        log.made.append(change_request.pk)
    except Exception as exc:  # noqa: BLE001 - a refused approval is reported, never retried behind the drill's back
        log.refused.append((change_request.pk, f"{type(exc).__name__}: {exc}"[:200]))
        close_old_connections()
    log.slowest_seconds = max(log.slowest_seconds, time.monotonic() - started)


_reviewers = None


def reviewers_cached():
    global _reviewers
    if _reviewers is None:
        _reviewers = reviewers()
    return _reviewers


def approvals_kept(log: ApprovalLog) -> int:
    """How many of the approvals made are in the database: the request approved, the model's
    performance class the approved value, and the history entry written."""
    from curation.models import ChangeRequest, HistoryEntry

    kept = 0
    for cr in ChangeRequest.objects.filter(pk__in=log.made).select_related("ai_model"):
        if (
            cr.state == ChangeRequest.State.APPROVED
            and cr.ai_model.performance_class == cr.after
            and HistoryEntry.objects.filter(change_request=cr).exists()
        ):
            kept += 1
    return kept


def charts_converged() -> bool:
    """Every chart's newest version shows the current data, and no data change waits."""
    from curation.charts.catalogue import catalogue
    from curation.charts.published import current_versions
    from curation.charts.render import RENDER_VERSION
    from curation.models import DataChange

    if DataChange.objects.filter(processed_at__isnull=True).exists():
        return False
    specs = catalogue()
    versions = current_versions(specs)
    return all(
        key in versions and versions[key].data_hash == spec.compute().hash(RENDER_VERSION)
        for key, spec in specs.items()
    )


def seconds_until_converged(since: float, timeout: float) -> float | None:
    from django.db import close_old_connections

    def check():
        close_old_connections()
        try:
            return charts_converged()
        except Exception:  # noqa: BLE001 - a database the drill just broke: not converged yet
            return False

    return time.monotonic() - since if wait_until(check, timeout, 0.5) else None


def report(write, name: str, figures: dict, failures: list[str]) -> int:
    """Print the figures (one line each, then JSON) and the verdict; the exit status."""
    write(f"--- drill {name} ---")
    for key, value in figures.items():
        write(f"{key}: {value}")
    write("figures: " + json.dumps({"drill": name, **figures}))
    if failures:
        for failure in failures:
            write(f"TARGET MISSED: {failure}")
        return 1
    write("all targets met")
    return 0
