"""Health (the process answers) and readiness (it can do its work) of the site.

Readiness checks the database, Redis (when the site uses it) and that a Celery worker reported
a heartbeat recently. Workers record their heartbeat in the cache every
`OSAI_WORKER_HEARTBEAT_SECONDS` (default 10) through `curation.operations.worker`; a heartbeat
older than `OSAI_WORKER_HEARTBEAT_MAX_AGE` (default 60 s) counts as no worker. In the embedded
default (no REDIS_URL) tasks run inline: there is no Redis or worker to wait for.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass

import redis
from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from curation.conf import app_settings

HEARTBEAT_KEY = "osai:worker:heartbeat"


def heartbeat_seconds() -> float:
    """How often a worker reports to /readyz, in seconds (OSAI_WORKER_HEARTBEAT_SECONDS)."""
    return float(app_settings.OSAI_WORKER_HEARTBEAT_SECONDS)


def heartbeat_max_age() -> float:
    """Age in seconds past which a worker's last report counts as dead (OSAI_WORKER_HEARTBEAT_MAX_AGE)."""
    return float(app_settings.OSAI_WORKER_HEARTBEAT_MAX_AGE)


def record_worker_heartbeat(hostname: str | None = None) -> bool:
    """Note in the cache that a worker is alive now; False when the cache is unreachable."""
    beat = {"hostname": hostname or socket.gethostname(), "at": time.time()}
    cache.set(HEARTBEAT_KEY, beat, timeout=int(heartbeat_max_age() * 2))
    # Django's backends return nothing from set(); the fail-open one says whether Redis answered.
    return getattr(cache, "is_available", lambda: True)()


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    milliseconds: float

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": round(self.milliseconds, 1)}


def _timed(name, probe) -> Check:
    started = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # noqa: BLE001 - any failure of the probe is the answer, never a 500
        ok, detail = False, f"{type(exc).__name__}: {exc}".strip()[:300]
    return Check(name, ok, detail, (time.monotonic() - started) * 1000)


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def uses_redis() -> bool:
    return bool(getattr(settings, "REDIS_URL", ""))


def _redis():
    if not uses_redis():
        return True, "not used (local-memory cache, tasks run inline)"

    timeout = float(app_settings.REDIS_TIMEOUT_SECONDS)
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()
    return True, "answers PING"


def _worker():
    if current_app.conf.task_always_eager:
        return True, "not needed (tasks run inline)"
    beat = cache.get(HEARTBEAT_KEY)
    if not beat:
        return False, f"no worker heartbeat in the last {heartbeat_max_age():.0f} s"
    age = time.time() - beat["at"]
    if age > heartbeat_max_age():
        return (
            False,
            f"last worker heartbeat {age:.0f} s ago ({beat['hostname']}), more than {heartbeat_max_age():.0f} s",
        )
    return True, f"heartbeat {age:.0f} s ago from {beat['hostname']}"


def readiness() -> tuple[bool, dict[str, Check]]:
    """(ready, checks by name): database, redis, worker."""
    checks = {
        check.name: check
        for check in (
            _timed("database", _database),
            _timed("redis", _redis),
            _timed("worker", _worker),
        )
    }
    return all(check.ok for check in checks.values()), checks
