"""`/healthz` and `/readyz`: JSON, 200 or 503, naming the database, Redis and worker checks."""

from __future__ import annotations

import time

import pytest
from django.db.utils import OperationalError

from curation.operations import health


@pytest.fixture
def queued_tasks(monkeypatch):
    """Tasks go to a worker (as with Redis), not inline."""
    from osai_index.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)


def test_healthz_answers_while_the_process_runs(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_ready_when_every_service_is(client, db, settings):
    from osai_index.celery import app

    health.record_worker_heartbeat("worker-1@host")  # with Redis: a worker reported just now
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ready"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"] and body["checks"]["worker"]["ok"]
    if app.conf.task_always_eager:  # the embedded default: no Redis, no worker to wait for
        assert "inline" in body["checks"]["worker"]["detail"] and "not used" in body["checks"]["redis"]["detail"]
    else:
        assert body["checks"]["redis"]["detail"] == "answers PING"


def test_readyz_is_503_when_the_database_fails(client, db, monkeypatch):
    def broken():
        raise OperationalError("connection to server failed: Connection refused")

    monkeypatch.setattr(health, "_database", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "detail": "OperationalError: connection to server failed: Connection refused",
        "ms": body["checks"]["database"]["ms"],
    }


def test_readyz_needs_a_recent_worker_heartbeat(client, db, queued_tasks, settings):
    from django.core.cache import cache

    cache.delete(health.HEARTBEAT_KEY)
    response = client.get("/readyz")
    assert response.status_code == 503 and not response.json()["checks"]["worker"]["ok"]

    health.record_worker_heartbeat("worker-1@host")
    body = client.get("/readyz").json()
    assert body["status"] == "ready" and "worker-1@host" in body["checks"]["worker"]["detail"]

    cache.set(health.HEARTBEAT_KEY, {"hostname": "worker-1@host", "at": time.time() - 120})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "more than 60 s" in response.json()["checks"]["worker"]["detail"]


def test_readyz_is_503_when_redis_does_not_answer(client, db, settings):
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    probe.close()
    settings.REDIS_URL = closed
    response = client.get("/readyz")
    assert response.status_code == 503
    assert not response.json()["checks"]["redis"]["ok"]


def test_probes_are_exempt_from_the_https_redirect(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/models/").status_code == 301
