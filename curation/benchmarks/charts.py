"""Chart regeneration speed: the whole catalogue, a run with unchanged data, and with a real worker.

- charts_full_seconds_shared / _10k: one run computing and rendering every chart (SVG, PNG,
  CSV, JSON into storage) on the imported shared snapshot / on 10,000 synthetic models;
  charts_compute_seconds_10k is the counting alone.
- charts_noop_seconds: a run consuming an outbox row whose change no chart shows (nothing rendered).
- edit_to_chart_p50_seconds: with a real Celery worker on Redis, from a superuser's direct edit
  (review service, committed) until the new /charts/academic-share version is in the database.
- runs_per_100_edits: regeneration runs a real worker makes for 100 direct edits in a row.
Worker figures need REDIS_URL and PostgreSQL (the worker process must reach the scratch
database); otherwise they are null with the reason in charts_worker_skipped. The worker gets its
own queue and cache prefix, so a running site's worker never takes these tasks.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager, suppress
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test.utils import override_settings

from curation.benchmarks import benchmark, scratch_database

SHARED_DATABASE = Path(settings.BASE_DIR).parent / "shared" / "data" / "main-database"


@contextmanager
def _media():
    with (
        tempfile.TemporaryDirectory(prefix="osai-charts-bench-") as folder,
        override_settings(MEDIA_ROOT=folder, DEBUG=False),
    ):
        yield Path(folder)


@contextmanager
def _no_worker_requests():
    # Runs are started by the benchmark itself, not by the writes that prepare the data.
    with mock.patch("curation.receivers.request_chart_regeneration", return_value=True):
        yield


def _timed(func) -> tuple[float, object]:
    started = time.perf_counter()
    result = func()
    return time.perf_counter() - started, result


def _full_run_seconds() -> float:
    from curation.charts.publish import regenerate

    seconds, _run = _timed(lambda: regenerate(trigger="benchmark", render_all=True))
    return round(seconds, 2)


def _noop_seconds() -> float:
    from django.db import transaction

    from curation.charts.publish import regenerate_stale
    from curation.datachanges import record_data_change

    with transaction.atomic():
        record_data_change("benchmark: a change no chart shows")
    seconds, run = _timed(regenerate_stale)
    assert run is not None and run.charts_rendered == 0, "an unchanged index re-rendered charts"
    return round(seconds, 3)


def _compute_seconds() -> float:
    from curation.charts.catalogue import catalogue

    seconds, _ = _timed(lambda: [spec.compute() for spec in catalogue().values()])
    return round(seconds, 3)


@benchmark("charts", "chart regeneration: full catalogue, unchanged data, edit-to-chart with a real worker")
def chart_figures(quick: bool = False) -> dict:
    from curation.synthetic import populate_synthetic

    figures = {}
    if SHARED_DATABASE.is_dir():
        from curation.interchange import import_index

        with scratch_database(), _media(), _no_worker_requests():
            import_index(SHARED_DATABASE)
            figures["charts_full_seconds_shared"] = _full_run_seconds()

    count, suffix = (1000, "1k") if quick else (10_000, "10k")
    with scratch_database(), _media(), _no_worker_requests():
        populate_synthetic(count)
        figures[f"charts_compute_seconds_{suffix}"] = _compute_seconds()
        figures[f"charts_full_seconds_{suffix}"] = _full_run_seconds()
        figures["charts_noop_seconds"] = _noop_seconds()

    figures.update(_worker_figures(quick))
    return figures


# --- with a real worker ----------------------------------------------------------------------


def _worker_figures(quick: bool) -> dict:
    from django.db import connection

    empty = {"edit_to_chart_p50_seconds": None, "runs_per_100_edits": None}
    if not settings.REDIS_URL:
        return {**empty, "charts_worker_skipped": "REDIS_URL is not set"}
    if connection.vendor != "postgresql":
        return {**empty, "charts_worker_skipped": "the worker needs PostgreSQL (DATABASE_URL) to share the database"}
    with scratch_database(), _media() as media, _isolated_queue() as (queue, prefix):
        superuser, organisations = _prepare_worker_data()
        with _worker(media, queue, prefix):
            latencies = _edit_to_chart(superuser, organisations, rounds=5 if quick else 11)
            runs = _runs_for_edits(superuser, organisations, 100)
    return {"edit_to_chart_p50_seconds": round(statistics.median(latencies), 2), "runs_per_100_edits": runs}


@contextmanager
def _isolated_queue():
    from osai_index.celery import app

    queue, prefix = f"charts-bench-{uuid.uuid4().hex[:8]}", f"charts-bench-{uuid.uuid4().hex[:8]}"
    caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    old_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    try:
        with override_settings(CACHES=caches):
            yield queue, prefix
    finally:
        app.conf.task_default_queue = old_queue
        with suppress(Exception):
            import redis

            redis.Redis.from_url(settings.REDIS_URL).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )


def _prepare_worker_data():
    from django.contrib.auth.models import User

    from curation import vocab
    from curation.charts.publish import regenerate
    from curation.models import Organisation
    from curation.synthetic import populate_synthetic

    with _no_worker_requests():
        populate_synthetic(500, prefix="Bench")
        regenerate(trigger="benchmark", render_all=True)
    superuser = User.objects.create_superuser("chart-bench", "bench@example.org", None)
    organisations = list(Organisation.objects.exclude(ai_models=None).order_by("pk")[:20])
    for org in organisations:  # start from a known sector so every edit flips it
        Organisation.objects.filter(pk=org.pk).update(sector=vocab.Sector.NON_ACADEMIC)
    return superuser, organisations


@contextmanager
def _worker(media: Path, queue: str, prefix: str):
    from django.db import connection

    from curation.operations.celery_processes import Subprocesses, postgres_url

    env = {
        **os.environ,
        "DATABASE_URL": postgres_url(connection.settings_dict),
        "MEDIA_ROOT": str(media),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_TEST_DB_NAME", None)
    with tempfile.TemporaryDirectory(prefix="osai-charts-worker-") as folder:
        processes = Subprocesses(Path(folder), env)
        try:
            yield processes.worker(queue, queue)
        finally:
            processes.stop_all()


def _drained(timeout: float = 30) -> bool:
    from curation.models import ChartRun, DataChange

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            not DataChange.objects.filter(processed_at__isnull=True).exists()
            and not ChartRun.objects.filter(status=ChartRun.Status.RUNNING).exists()
        ):
            return True
        time.sleep(0.05)
    return False


def _flip(org, superuser):
    from curation import vocab
    from curation.review.services import edit_directly

    org.refresh_from_db()
    sector = vocab.Sector.ACADEMIC if org.sector != vocab.Sector.ACADEMIC else vocab.Sector.NON_ACADEMIC
    edit_directly(
        org,
        "contributor_type",
        {"sector": sector, "kind": org.contributor_kind, "bloc": org.big_tech_bloc},
        user=superuser,
        rationale="benchmark edit",
    )


def _edit_to_chart(superuser, organisations, rounds: int) -> list[float]:
    from curation.models import ChartVersion

    latencies = []
    for i in range(rounds):
        newest = ChartVersion.objects.filter(key="academic-share").order_by("-id").values_list("id", flat=True).first()
        started = time.perf_counter()
        _flip(organisations[i % len(organisations)], superuser)
        while not ChartVersion.objects.filter(key="academic-share", id__gt=newest or 0).exists():
            if time.perf_counter() - started > 30:
                raise RuntimeError("the chart did not follow an edit within 30 s")
            time.sleep(0.01)
        latencies.append(time.perf_counter() - started)
        _drained()
    return latencies


def _runs_for_edits(superuser, organisations, edits: int) -> int:
    from curation.models import ChartRun

    _drained()
    last = ChartRun.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for i in range(edits):
        _flip(organisations[i % len(organisations)], superuser)
    time.sleep(1)
    _drained(60)
    time.sleep(1.5)  # a trailing run would start within the quiet period
    _drained(60)
    return ChartRun.objects.filter(id__gt=last).exclude(status=ChartRun.Status.NOTHING_TO_DO).count()
