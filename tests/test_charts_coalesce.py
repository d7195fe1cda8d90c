"""Coalescing and catch-up of chart regeneration, without a broker (the worker tests use a real one)."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from curation import receivers, tasks
from curation.charts import coalesce, publish, published
from curation.datachanges import record_data_change
from curation.models import ChartRun, DataChange


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def one_chart(monkeypatch, media):
    """Publishing logic is the same for any chart; one keeps these tests quick."""
    full = publish.catalogue
    monkeypatch.setattr(publish, "catalogue", lambda: {"academic-share": full()["academic-share"]})


@pytest.fixture
def queued(monkeypatch):
    """Pretend a broker is there: record what would be scheduled instead of running it."""
    monkeypatch.setattr(coalesce, "is_eager", lambda: False)
    cache.delete(coalesce.PENDING_KEY)
    scheduled = []
    yield scheduled
    cache.delete(coalesce.PENDING_KEY)


def test_a_burst_of_requests_schedules_one_run(db, queued):
    answers = [coalesce.request_run(queued.append) for _ in range(100)]
    assert answers[0] == "scheduled" and set(answers[1:]) == {"already scheduled"}
    assert queued == [coalesce.quiet_seconds()]


def test_run_waits_while_changes_keep_arriving(db, queued, one_chart, make_ai_model):
    make_ai_model("A model")
    change = record_data_change("just now")
    coalesce.request_run(queued.append)
    result = coalesce.run_when_quiet(queued.append, now=change.created_at + datetime.timedelta(seconds=0.1))
    assert result == {"status": "postponed"}
    assert 0 < queued[-1] <= coalesce.quiet_seconds()
    assert ChartRun.objects.count() == 0
    assert coalesce.request_run(queued.append) == "already scheduled"  # the postponed run covers it


def test_run_happens_once_quiet_and_clears_the_flag(db, queued, one_chart, make_ai_model):
    make_ai_model("A model")
    for i in range(100):
        last = record_data_change(f"edit {i}")
        coalesce.request_run(queued.append)
    result = coalesce.run_when_quiet(queued.append, now=last.created_at + datetime.timedelta(seconds=1))
    assert result["status"] == ChartRun.Status.SUCCEEDED and result["changes"] == 100
    assert ChartRun.objects.count() == 1
    assert len(queued) == 1  # one scheduled run for the hundred edits
    # The next change after the run schedules the next run: nothing is lost.
    record_data_change("after the run")
    assert coalesce.request_run(queued.append) == "scheduled"


def test_run_stops_waiting_after_the_maximum_wait(db, queued, one_chart, settings):
    settings.OSAI_CHARTS_MAX_WAIT_SECONDS = 5
    first = record_data_change("first")
    DataChange.objects.filter(pk=first.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=6))
    record_data_change("still arriving")
    result = coalesce.run_when_quiet(queued.append)
    assert result["status"] == ChartRun.Status.SUCCEEDED and result["changes"] == 2


def test_eager_mode_runs_the_same_code_at_once(
    db, one_chart, make_ai_model, django_capture_on_commit_callbacks, monkeypatch
):
    from osai_index.celery import app

    # What the site does without REDIS_URL, also when this suite runs with a broker.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    make_ai_model("A model")
    with django_capture_on_commit_callbacks(execute=True):
        record_data_change("an edit")
    run = ChartRun.objects.get()
    assert run.trigger == "changes" and run.status == ChartRun.Status.SUCCEEDED and run.changes_claimed == 1
    assert published.get_chart("academic-share").data["total"] == 1


def test_broker_down_keeps_the_change_for_the_sweep(
    db, one_chart, monkeypatch, settings, make_ai_model, django_capture_on_commit_callbacks
):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(receivers, "enqueue", unreachable)
    make_ai_model("A model")
    with django_capture_on_commit_callbacks(execute=True):
        change = record_data_change("written while Redis is down")
    assert DataChange.objects.get(pk=change.pk).processed_at is None  # the write itself succeeded
    assert ChartRun.objects.count() == 0

    settings.OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS = 30
    assert publish.sweep() is None  # too young: its own run may still be on the way
    DataChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=1))
    run = publish.sweep()
    assert run.trigger == "sweep" and run.changes_claimed == 1
    assert DataChange.objects.get(pk=change.pk).processed_at is not None


def test_request_chart_regeneration_reports_a_broker_failure(db, monkeypatch):
    monkeypatch.setattr(receivers, "enqueue", lambda name: (_ for _ in ()).throw(OSError("down")))
    assert receivers.request_chart_regeneration() is False


def test_scheduling_failure_clears_the_flag(db, queued):
    def broken(countdown):
        raise OSError("broker down")

    with pytest.raises(OSError, match="broker down"):
        coalesce.request_run(broken)
    assert coalesce.request_run(queued.append) == "scheduled"


def test_a_failed_run_is_retried(db, one_chart, monkeypatch, make_ai_model):
    from django.db import OperationalError

    make_ai_model("A model")
    change = record_data_change("an edit")
    DataChange.objects.filter(pk=change.pk).update(created_at=timezone.now() - datetime.timedelta(seconds=5))
    real, attempts = coalesce.regenerate_stale, []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise OperationalError("database restarting")
        return real()

    monkeypatch.setattr(coalesce, "regenerate_stale", flaky)
    result = tasks.run_chart_regeneration.apply(throw=False)  # runs here; its retry runs here too
    assert result.successful() and result.result["status"] == ChartRun.Status.SUCCEEDED
    assert len(attempts) == 2
    assert tasks.run_chart_regeneration.retry_backoff and tasks.run_chart_regeneration.max_retries >= 5


def test_beat_sweeps_every_fifteen_seconds_and_checks_nightly(settings):
    from osai_index.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    sweep, nightly = schedule["sweep-chart-outbox"], schedule["check-all-charts-nightly"]
    assert sweep["schedule"] == 15.0  # charts converge within about 30 s of Redis coming back
    assert nightly["schedule"].hour == {3}
    app.loader.import_default_modules()
    for entry in (sweep, nightly):
        assert entry["task"] in app.tasks, f"beat names an unknown task {entry['task']}"
