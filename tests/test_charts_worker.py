"""Chart regeneration, and the other work the site hands to Celery (a data release's files),
with a real Celery worker (and beat) on Redis and PostgreSQL.

The worker runs as a subprocess against this test's database (DATABASE_URL points at the test
database) and the same media folder; changes are made through the review services, so every
step the site takes after an approval is exercised. Worker processes are killed at teardown.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client

from curation import vocab
from curation.charts import coalesce, publish, published
from curation.datachanges import record_data_change
from curation.models import AIModel, ChartRun, ChartVersion, DataChange
from curation.operations.celery_processes import Subprocesses, postgres_url, wait_until
from curation.review.services import approve, propose

PROJECT_ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def chart_json(key="academic-share") -> dict | None:
    response = Client().get(f"/charts/{key}.json")
    if response.status_code != 200:
        return None
    return json.loads(response.content)


def slice_counts(doc) -> dict:
    return {s["label"]: s["count"] for s in doc["slices"]}


def outbox_drained() -> bool:
    return (
        not DataChange.objects.filter(processed_at__isnull=True).exists()
        and not ChartRun.objects.filter(status=ChartRun.Status.RUNNING).exists()
    )


class Processes(Subprocesses):
    """Celery worker and beat subprocesses on this test's queue, each in its own process group."""

    def worker(self, extra_env=None):  # type: ignore[override]
        name = f"charts-test-{uuid.uuid4().hex[:8]}"
        return super().worker(self.env["CELERY_TASK_DEFAULT_QUEUE"], name, extra_env=extra_env)

    def beat(self, extra_env=None):  # type: ignore[override]
        return super().beat(extra_env=extra_env)


@pytest.fixture
def processes(require_postgres, require_redis, settings, tmp_path, monkeypatch):
    from osai_index.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    # A queue of this test's own: messages of other tests or of a running site never mix in.
    queue = f"charts-test-{uuid.uuid4().hex[:10]}"
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    database_url = postgres_url(connection.settings_dict)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        "DJANGO_SETTINGS_MODULE": "osai_index.settings",
        "LOG_LEVEL": "INFO",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
    }
    env.pop("DJANGO_TEST_DB_NAME", None)
    from django.core.cache import cache

    cache.delete(coalesce.PENDING_KEY)
    procs = Processes(tmp_path, env)
    yield procs
    procs.stop_all(graceful=False)
    import redis

    redis.Redis.from_url(settings.REDIS_URL).delete(
        queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
    )
    cache.delete(coalesce.PENDING_KEY)


ACADEMIC = {"sector": vocab.Sector.ACADEMIC, "kind": vocab.ContributorKind.UNIVERSITY, "bloc": vocab.BigTechBloc.NONE}


def test_an_approval_reaches_the_chart_within_ten_seconds(processes, people, make_organisation, make_ai_model):
    lab = make_organisation("Example Lab")
    for i in range(3):
        make_ai_model(f"Example model {i}", organisation=lab)
    publish.regenerate(trigger="setup", render_all=True)
    before = chart_json()
    assert slice_counts(before) == {"Non-academic": 3}
    processes.worker()

    change_request = propose(
        lab,
        "contributor_type",
        ACADEMIC,
        user=people.curator,
        rationale="It is a university lab",
        evidence_link="https://example.org/about",
    )
    started = time.monotonic()
    approve(change_request, people.reviewer)
    after = wait_until(lambda: (doc := chart_json()) and doc["generated_at"] != before["generated_at"] and doc, 10)
    elapsed = time.monotonic() - started
    assert after, "the chart did not change within 10 s of the approval"
    assert slice_counts(after) == {"Academic": 3}
    assert after["data_version"] == DataChange.objects.latest("id").id
    print(f"approval to chart: {elapsed:.2f} s")


def test_a_burst_of_100_approvals_gives_at_most_two_runs(processes, people):
    from curation.synthetic import populate_synthetic

    models = populate_synthetic(100, prefix="Burst")
    publish.regenerate(trigger="setup", render_all=True)
    flips = {vocab.PerformanceClass.LATEST: vocab.PerformanceClass.FULL}
    requests = [
        propose(
            m,
            "performance_class",
            flips.get(m.performance_class, vocab.PerformanceClass.LATEST),
            user=people.curator,
            rationale="Reclassified after a benchmark review",
        )
        for m in models
    ]
    processes.worker()
    last_run = ChartRun.objects.order_by("-id").values_list("id", flat=True).first() or 0

    started = time.monotonic()
    for change_request in requests:
        approve(change_request, people.reviewer)
    burst = time.monotonic() - started

    # Drained, and no run scheduled (the coalescing flag is cleared when a scheduled run fires):
    # a late second run could come from nothing after this.
    assert wait_until(lambda: outbox_drained() and cache.get(coalesce.PENDING_KEY) is None, 30, 0.1), (
        "the outbox was not consumed"
    )
    runs = ChartRun.objects.filter(id__gt=last_run)
    working = runs.exclude(status=ChartRun.Status.NOTHING_TO_DO)
    print(f"100 approvals in {burst:.2f} s -> {working.count()} run(s), {runs.count()} run record(s)")
    assert 1 <= working.count() <= 2
    assert sum(working.values_list("changes_claimed", flat=True)) == 100
    latest = AIModel.objects.public().filter(performance_class="latest").count()
    assert chart_json("academic-share-latest")["total"] == latest


@contextlib.contextmanager
def redis_unreachable(settings):
    """Point this process's broker and cache at a closed port: Redis is down for the writer."""
    from osai_index.celery import app

    closed = "redis://127.0.0.1:1/0"
    old_broker, old_caches = app.conf.broker_url, settings.CACHES

    def reset_pools():  # the next send connects afresh, to whatever broker_url says now
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = closed
    reset_pools()
    settings.CACHES = {"default": {**old_caches["default"], "LOCATION": closed}}
    try:
        yield
    finally:
        app.conf.broker_url = old_broker
        reset_pools()
        settings.CACHES = old_caches


def test_changes_made_while_redis_is_down_are_caught_up_by_the_sweep(
    processes, people, settings, make_organisation, make_ai_model
):
    lab = make_organisation("Offline Lab")
    make_ai_model("Offline model", organisation=lab)
    publish.regenerate(trigger="setup", render_all=True)
    before = chart_json()
    quick_sweep = {"OSAI_CHARTS_SWEEP_SECONDS": "1", "OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS": "3"}
    processes.worker(quick_sweep)
    processes.beat(quick_sweep)
    change_request = propose(
        lab,
        "contributor_type",
        ACADEMIC,
        user=people.curator,
        rationale="It is a university lab",
        evidence_link="https://example.org/about",
    )

    with redis_unreachable(settings):
        entry = approve(change_request, people.reviewer)  # must not fail
    assert entry.pk and AIModel.objects.get().organisation.sector == vocab.Sector.ACADEMIC
    pending = DataChange.objects.filter(processed_at__isnull=True)
    assert pending.count() == 1  # the outbox row waits; nothing is lost
    assert chart_json() == before  # no run was requested

    # Redis is back for everyone; nobody does anything: the beat sweep catches up.
    after = wait_until(lambda: (doc := chart_json()) and doc != before and doc, 20, 0.2)
    assert after and slice_counts(after) == {"Academic": 1}
    assert ChartRun.objects.filter(trigger="sweep", status=ChartRun.Status.SUCCEEDED).exists()
    assert not pending.exists()


def test_a_worker_killed_mid_run_shows_no_half_chart_and_the_run_is_redone(processes, make_organisation, make_ai_model):
    import datetime

    make_ai_model(
        "First model",
        organisation=make_organisation("First Lab"),
        performance_class="latest",
        release_date=datetime.date(2024, 5, 1),
    )
    publish.regenerate(trigger="setup", render_all=True)
    versions_before = ChartVersion.objects.count()
    files_before = set(publish._stored_chart_files())
    before = {key: chart_json(key) for key in ("academic-share", "regions", "concentration")}
    quick_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    worker = processes.worker(quick_redelivery)

    with transaction.atomic():  # a new model changes every chart: a long run to interrupt
        make_ai_model(
            "Second model",
            performance_class="latest",
            release_date=datetime.date(2025, 2, 1),
            organisation=make_organisation("Second Lab", country="FR", sector=vocab.Sector.ACADEMIC),
        )
        record_data_change("second model added")
    running = wait_until(lambda: ChartRun.objects.filter(status=ChartRun.Status.RUNNING).first(), 10, 0.005)
    assert running, "no run started"
    # Killed once it has written files: the redo must delete them.
    assert wait_until(lambda: set(publish._stored_chart_files()) - files_before, 10, 0.005), "the run wrote no file"
    processes.kill(worker)

    # Nothing of the interrupted run is visible: same versions, same documents, outbox intact.
    assert ChartVersion.objects.count() == versions_before
    assert {key: chart_json(key) for key in before} == before
    assert DataChange.objects.filter(processed_at__isnull=True).count() == 1
    assert ChartRun.objects.get(pk=running.pk).status == ChartRun.Status.RUNNING  # it died; no one closed it

    # A new worker gets the unacknowledged message back (acks_late) and redoes the run.
    time.sleep(3)  # the broker's visibility timeout (3 s above): only then is the message redelivered
    processes.worker(quick_redelivery)
    after = wait_until(lambda: (doc := chart_json()) and doc != before["academic-share"] and doc, 30, 0.2)
    assert after and after["total"] == 2
    redo = ChartRun.objects.filter(status=ChartRun.Status.SUCCEEDED, pk__gt=running.pk).get()
    assert redo.trigger == "changes" and redo.changes_claimed == 1
    assert redo.charts_rendered == len(publish.catalogue())
    # The redo closed the dead run and deleted the files it had written: nothing is left behind.
    assert ChartRun.objects.get(pk=running.pk).status == ChartRun.Status.INTERRUPTED
    assert not ChartRun.objects.filter(status=ChartRun.Status.RUNNING).exists()
    referenced = {v.file_name(fmt) for v in ChartVersion.objects.all() for fmt in published.FORMATS}
    assert set(publish._stored_chart_files()) == referenced


def test_a_run_waiting_for_the_lock_is_not_taken_for_dead(require_postgres, transactional_db, settings, tmp_path):
    """Only a run whose database session is gone is closed: one that lives (here: holds its alive
    lock on another connection) stays running."""
    from django.db import connections

    settings.MEDIA_ROOT = tmp_path / "media"
    alive = ChartRun.objects.create(trigger="changes")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", publish._run_alive_key(alive.pk))
        dead = ChartRun.objects.create(trigger="changes")
        record_data_change("a change")
        publish.regenerate_stale()
        assert ChartRun.objects.get(pk=alive.pk).status == ChartRun.Status.RUNNING
        assert ChartRun.objects.get(pk=dead.pk).status == ChartRun.Status.INTERRUPTED
    finally:
        other.close()


def test_a_release_made_in_the_admin_has_its_files_frozen_by_the_worker(processes, make_ai_model, django_user_model):
    """The admin commits the release, then sends the freezing task; the worker (another process,
    seeing only committed data) writes the files, and the release page lists them."""
    from django.contrib.auth.models import Group

    from curation.models import DataRelease
    from curation.roles import CURATOR, ensure_roles

    make_ai_model("Released Model", grades={"licenses": "open"})
    record_data_change("test data")
    ensure_roles()
    curator = django_user_model.objects.create_user("rel-curator", "rel@example.org", "x", is_staff=True)
    curator.groups.add(Group.objects.get(name=CURATOR))
    processes.worker()
    client = Client()
    client.force_login(curator)
    response = client.post("/admin/curation/datarelease/add/", {"name": "2026-12", "slug": "", "notes": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    release = DataRelease.objects.get()
    frozen = wait_until(lambda: DataRelease.objects.filter(pk=release.pk, files_frozen_at__isnull=False).exists(), 30)
    assert frozen, "the worker did not freeze the release's files"
    names = set(release.files.values_list("filename", flat=True))
    assert {"models.csv", "models.json", "vocabularies.csv"} <= names
    csv = bytes(release.files.get(filename="models.csv").content).decode()
    assert "Released Model" in csv
    page = Client().get(f"/releases/{release.slug}/").content.decode()
    assert f"/releases/{release.slug}/models.csv" in page
