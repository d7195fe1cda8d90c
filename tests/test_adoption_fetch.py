"""Reading adoption figures from a fake Hub on 127.0.0.1 that serves recorded answers."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from curation import tasks
from curation.adoption.fake_hub import FakeHub
from curation.adoption.fetch import fetch_adoption
from curation.models import AdoptionStatus, AIModel, Assessment, DataChange, RepoAdoption

RECORDED = json.loads((Path(__file__).parent / "fixtures" / "hub_answers.json").read_text())["answers"]
DAY = datetime.date(2025, 8, 1)


@pytest.fixture
def catalogue(make_ai_model):
    """Three models: repositories derived from a link, from weights evidence, and curated
    (one of them gone from the Hub)."""
    alpha = make_ai_model("Alpha", link="https://huggingface.co/lab/alpha-7b")
    Assessment.objects.filter(ai_model=alpha, dimension__ref="weights_endmodel").update(
        links=["https://huggingface.co/lab/alpha-7b-instruct"]
    )
    beta = make_ai_model("Beta", link="https://beta.example.org", hf_repos=["other-lab/beta", "other-lab/removed"])
    gamma = make_ai_model("Gamma", link="https://huggingface.co/third/gamma-base")
    make_ai_model("No Hub", link="https://example.org")
    return alpha, beta, gamma


@pytest.fixture
def hub(settings):
    with FakeHub(RECORDED, retry_after=1) as fake:
        settings.HF_ENDPOINT = fake.url
        settings.OSAI_ADOPTION_BACKOFF_SECONDS = 0.05
        yield fake


def _rows():
    return {r.repo_id: r for r in RepoAdoption.objects.filter(day=DAY)}


def test_a_run_stores_a_dated_row_per_repository_and_records_a_data_change(catalogue, hub):
    hub.delay_seconds = 0.05
    changes = DataChange.objects.count()
    report = fetch_adoption(day=DAY, concurrency=2)
    assert (report.repositories, report.read, report.not_found, report.failed) == (5, 4, ["other-lab/removed"], [])
    rows = _rows()
    assert set(rows) == {
        "lab/alpha-7b",
        "lab/alpha-7b-instruct",
        "other-lab/beta",
        "other-lab/removed",
        "third/gamma-base",
    }
    for repo, answer in RECORDED.items():
        row = rows[repo]
        assert row.status == AdoptionStatus.OK
        assert (row.downloads, row.downloads_all_time, row.likes) == (
            answer["downloads"],
            answer.get("downloadsAllTime"),
            answer["likes"],
        )
    assert rows["other-lab/beta"].downloads_all_time is None  # not given by the Hub: not made up
    assert hub.most_in_flight <= 2  # concurrency bounded
    assert all(n == 1 for repo, n in hub.requests.items() if repo != "other-lab/removed")
    assert DataChange.objects.count() == changes + 1
    alpha, beta, _gamma = (AIModel.objects.get(pk=m.pk) for m in catalogue)
    assert alpha.hf_downloads == RECORDED["lab/alpha-7b"]["downloads"] + RECORDED["lab/alpha-7b-instruct"]["downloads"]
    assert (beta.hf_downloads, beta.hf_downloads_all_time, beta.hf_read_on) == (5021, None, DAY)

    again = fetch_adoption(day=DAY)  # idempotent per day: nothing asked, nothing recorded
    assert (again.already_read, again.read) == (5, 0)
    assert sum(hub.requests.values()) == 5
    assert DataChange.objects.count() == changes + 1


def test_a_rate_limit_answer_pauses_then_the_request_succeeds(catalogue, hub):
    hub.rate_limited["lab/alpha-7b"] = 1
    started = time.monotonic()
    report = fetch_adoption(day=DAY, concurrency=4)
    assert time.monotonic() - started >= 1  # the Hub's Retry-After was honoured
    assert report.rate_limited == 1 and report.failed == []
    assert hub.requests["lab/alpha-7b"] == 2
    assert _rows()["lab/alpha-7b"].downloads == RECORDED["lab/alpha-7b"]["downloads"]


def test_a_repository_gone_from_the_hub_is_recorded_and_not_fatal(catalogue, hub):
    report = fetch_adoption(day=DAY)
    gone = _rows()["other-lab/removed"]
    assert gone.status == AdoptionStatus.NOT_FOUND and gone.downloads is None and "404" in gone.detail
    assert report.not_found == ["other-lab/removed"] and report.read == 4
    fetch_adoption(day=DAY)
    assert hub.requests["other-lab/removed"] == 1  # known missing today: not asked again


def test_a_repository_still_rate_limited_after_every_attempt_fails_and_is_retried_next_run(catalogue, hub, settings):
    settings.OSAI_ADOPTION_MAX_ATTEMPTS = 2
    hub.retry_after = 0
    hub.rate_limited["third/gamma-base"] = 2
    report = fetch_adoption(day=DAY)
    assert [repo for repo, _ in report.failed] == ["third/gamma-base"]
    assert "429" in report.failed[0][1]
    assert _rows()["third/gamma-base"].status == AdoptionStatus.FAILED
    second = fetch_adoption(day=DAY)
    assert (second.read, second.already_read, second.failed) == (1, 4, [])
    assert _rows()["third/gamma-base"].status == AdoptionStatus.OK


def test_a_run_that_crashed_resumes_where_it_stopped(catalogue, hub):
    class Crash(Exception):
        pass

    class Bar:
        def __init__(self):
            self.done = 0

        def update(self, n):
            self.done += n
            if self.done == 2:
                raise Crash("the worker was killed")

    with pytest.raises(Crash):
        fetch_adoption(day=DAY, concurrency=1, batch_size=1, progress=lambda total: Bar())
    stored_before = set(_rows())
    assert len(stored_before) == 2
    changes = DataChange.objects.count()
    report = fetch_adoption(day=DAY, concurrency=1)
    assert (report.already_read, report.read + len(report.not_found)) == (2, 3)
    assert len(_rows()) == 5
    assert all(hub.requests[repo] == 1 for repo in stored_before)  # what was stored is not asked again
    assert DataChange.objects.count() == changes + 1


def test_the_command_reads_the_models_named(catalogue, hub, capsys):
    call_command("fetch_adoption", "--models", "gamma", "--no-progress")
    out = capsys.readouterr().out
    assert "1 repositories" in out and "1 read" in out
    assert list(RepoAdoption.objects.values_list("repo_id", flat=True)) == ["third/gamma-base"]
    with pytest.raises(CommandError, match="--models nowhere: no model"):
        call_command("fetch_adoption", "--models", "nowhere")


def test_the_daily_beat_task_runs_the_fetch(catalogue, hub):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["fetch-adoption-daily"]
    assert schedule["task"] == tasks.fetch_adoption.name
    summary = tasks.fetch_adoption()
    assert "5 repositories" in summary and "4 read" in summary
    assert RepoAdoption.objects.count() == 5


def test_the_daily_task_runs_one_at_a_time(catalogue, hub):
    from django.core.cache import cache

    from curation.adoption.fetch import RUN_LOCK_KEY

    cache.add(RUN_LOCK_KEY, "elsewhere", 60)
    try:
        assert "another adoption run is under way" in tasks.fetch_adoption()
        assert not RepoAdoption.objects.exists() and not hub.requests
    finally:
        cache.delete(RUN_LOCK_KEY)
    assert "4 read" in tasks.fetch_adoption()
    assert cache.get(RUN_LOCK_KEY) is None  # released
