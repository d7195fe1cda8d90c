"""Reading adoption figures from the Hub: 1,000 repositories from a fake Hub on 127.0.0.1.

`adoption_fetch_seconds_1k`: wall-clock of `fetch_adoption` for 1,000 models with one
repository each, in a scratch database, against `curation.adoption.fake_hub` answering each
request after ADOPTION_HUB_LATENCY seconds (a stand-in for the network), with the default
concurrency bound (OSAI_ADOPTION_CONCURRENCY); up to the commit of its last rows and data change
(chart regeneration, a worker's job, is left out). `adoption_fetch_most_in_flight` is the most
requests the Hub saw at once (never above the bound). `adoption_charts_seconds_1k` computes the
four adoption charts over those models with a reading a day for 180 days (30 with --quick),
`adoption_charts_readings` rows in all.
"""

from __future__ import annotations

import datetime
import time
from unittest import mock

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from curation.benchmarks import benchmark, scratch_database

REPOSITORIES = 1000
ADOPTION_HUB_LATENCY = 0.01


@benchmark("adoption", "adoption figures read for 1,000 repositories from a fake Hub, and the adoption charts")
def adoption_figures(quick: bool = False) -> dict:
    from curation.adoption.fake_hub import FakeHub, synthetic_answers
    from curation.adoption.fetch import fetch_adoption
    from curation.adoption.readings import store_readings
    from curation.charts.catalogue import catalogue
    from curation.models import AdoptionStatus, AIModel, RepoAdoption

    answers = synthetic_answers(REPOSITORIES)
    figures: dict = {}
    with (
        scratch_database(),
        FakeHub(answers, delay_seconds=ADOPTION_HUB_LATENCY) as hub,
        override_settings(DEBUG=False, HF_ENDPOINT=hub.url),
        mock.patch("curation.receivers.request_chart_regeneration", return_value=True),
    ):
        AIModel.objects.bulk_create(
            AIModel(name=f"Bench {n}", slug=f"bench-{n}", hf_repos=[repo], types="text")
            for n, repo in enumerate(answers)
        )
        started = time.perf_counter()
        report = fetch_adoption()
        figures["adoption_fetch_seconds_1k"] = round(time.perf_counter() - started, 2)
        assert report.read == REPOSITORIES, report.summary()
        figures["adoption_fetch_concurrency"] = settings.OSAI_ADOPTION_CONCURRENCY
        figures["adoption_fetch_most_in_flight"] = hub.most_in_flight
        figures["adoption_fetch_hub_latency_ms"] = round(ADOPTION_HUB_LATENCY * 1000)

        # Daily readings before today's (180 days; 30 with --quick), then the four charts.
        days = 30 if quick else 180
        today = timezone.now().date()
        by_month: dict[tuple[int, int], list[int]] = {}
        for back in range(1, days):
            day = today - datetime.timedelta(days=back)
            by_month.setdefault((day.year, day.month), []).append(back)
        for backs in by_month.values():  # a month at a time: one settling of its month-end flags
            store_readings(
                RepoAdoption(
                    repo_id=repo,
                    day=today - datetime.timedelta(days=back),
                    status=AdoptionStatus.OK,
                    downloads=data["downloads"] // (1 + back % 7),
                    likes=data["likes"],
                    fetched_at=timezone.now(),
                )
                for back in backs
                for repo, data in answers.items()
            )
        figures["adoption_charts_readings"] = RepoAdoption.objects.count()
        specs = [spec for key, spec in catalogue().items() if key.startswith("adoption-")]
        started = time.perf_counter()
        for spec in specs:
            spec.compute()
        figures["adoption_charts_seconds_1k"] = round(time.perf_counter() - started, 2)
    return figures
