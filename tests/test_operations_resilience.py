"""Redis down or stalled: readers keep getting pages and the API (uncached, throttles open), a
save returns within seconds and its outbox row waits for the sweep.

The cache is pointed at a closed port (Redis down) or at a socket that accepts connections and
never answers (a stalled Redis); neither needs a Redis server, so these run on both suites.
"""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
from django.test import Client

from curation import receivers
from curation.models import DataChange
from curation.operations.celery_processes import wait_until
from curation.review.services import approve, propose

READER_URLS = [
    "/",
    "/models/",
    "/models/graded-model/",
    "/organisations/",
    "/charts/",
    "/models.csv",
    "/models.json",
    "/api/v1/models/",
    "/api/v1/models/graded-model/",
    "/api/v1/organisations/",
]


@contextlib.contextmanager
def black_hole():
    """A TCP port that accepts connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        listener.close()


def closed_port() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"redis://127.0.0.1:{port}/0"


def redis_cache_at(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "curation.cache_backends.FailOpenRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "drill",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@contextlib.contextmanager
def broker_at(url):
    """This process sends tasks to `url` (eager mode off), as a site with Redis would."""
    from osai_index.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url, app.conf.task_always_eager = url, False
    app.conf.broker_transport_options = {**saved[2], "socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = saved
        reset_pools()


@pytest.mark.parametrize("outage", ["down", "stalled"])
def test_every_reader_page_and_the_api_answer_while_redis_is_away(client, graded_model, settings, outage):
    """Before: every anonymous page was a 500 for the whole outage (and hung while Redis stalled)."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    with black_hole() if outage == "stalled" else contextlib.nullcontext(closed_port()) as url:
        redis_cache_at(settings, url)
        started = time.monotonic()
        statuses = {u: Client().get(u).status_code for u in READER_URLS for _ in range(2)}
        elapsed = time.monotonic() - started
    assert set(statuses.values()) == {200}, statuses
    # One timeout opens the breaker; the other requests do not wait on Redis at all.
    assert elapsed < 10, f"{len(READER_URLS) * 2} requests took {elapsed:.1f} s"


def test_throttles_fail_open_without_redis(graded_model, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"}}
    redis_cache_at(settings, closed_port())
    assert [Client().get("/api/v1/models/").status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize("outage", ["down", "stalled"])
def test_a_save_returns_within_seconds_and_leaves_the_work_to_the_sweep(people, graded_model, settings, outage):
    """Before: with a Redis that accepted connections and never answered, a save hung for minutes."""
    change_request = propose(
        graded_model, "performance_class", "latest", user=people.curator, rationale="New benchmark results"
    )
    before = DataChange.objects.filter(processed_at__isnull=True).count()
    with black_hole() if outage == "stalled" else contextlib.nullcontext(closed_port()) as url:
        redis_cache_at(settings, url)
        with broker_at(url):
            started = time.monotonic()
            entry = approve(change_request, people.reviewer)
            elapsed = time.monotonic() - started
            assert receivers.request_chart_regeneration() is False  # the breaker: no second wait
    assert entry.pk
    assert elapsed < 5, f"the approval took {elapsed:.1f} s"
    graded_model.refresh_from_db()
    assert graded_model.performance_class == "latest"
    assert DataChange.objects.filter(processed_at__isnull=True).count() == before + 1  # waits for the sweep


def test_the_cache_comes_back_after_the_breaker(settings):
    """The breaker only skips Redis for OSAI_CACHE_RETRY_SECONDS; then the cache is tried again."""
    from django.core.cache import cache

    settings.OSAI_CACHE_RETRY_SECONDS = 0.2
    redis_cache_at(settings, closed_port())
    assert cache.get("anything", "fallback") == "fallback"
    assert not cache.is_available()
    assert wait_until(cache.is_available, 5, 0.05), "the cache was not tried again after the breaker's time"
