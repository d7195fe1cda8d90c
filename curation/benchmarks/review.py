"""Speed of the review workflow and of the curation admin at scale.

- `review_propose_p50_ms` / `review_approve_p50_ms`: one grade proposal, and one approval (live
  change, score recomputation, history entry, event, outbox row) of a synthetic model, without
  the chart regeneration that follows a commit; `review_approve_with_inline_charts_p50_ms` is an
  approval including it, as the embedded mode (Celery eager) runs it inline.
- `admin_model_list_ms` / `admin_model_list_queries`: the reviewer's AI model list (50 a page,
  category score columns, grade filters built from the registry) over the synthetic index.
- `admin_model_form_ms` / `admin_model_form_queries`: one model's change form with every
  dimension, its open proposals and history.
- `admin_queue_ms` / `admin_queue_queries`: the review queue with every proposal pending.
Everything runs in a scratch database; the site's own data is never touched.
"""

from __future__ import annotations

import statistics
import time
from unittest import mock

from curation.benchmarks import benchmark, scratch_database


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _timed_get(client, url: str, runs: int = 5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm templates and imports
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return _ms(statistics.median(samples)), len(queries)


@benchmark("review", "propose/approve latency and curation admin pages at scale")
def review_benchmark(quick: bool = False) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import override_settings

    from curation import roles
    from curation.review import services
    from curation.synthetic import populate_synthetic

    model_count, proposals = (500, 30) if quick else (5000, 200)
    with (
        scratch_database(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        ),
    ):
        roles.ensure_roles()
        curator = User.objects.create_user("bench-curator", is_staff=True)
        curator.groups.add(Group.objects.get(name=roles.CURATOR))
        reviewer = User.objects.create_user("bench-reviewer", is_staff=True)
        reviewer.groups.add(Group.objects.get(name=roles.REVIEWER))
        models = populate_synthetic(model_count, prefix="Review")

        propose_times, requests = [], []
        for model in models[:proposals]:
            grade = model.assessments.get(dimension__ref="weights_endmodel")
            new = "open" if grade.grade != "open" else "closed"
            started = time.perf_counter()
            requests.append(
                services.propose(
                    model,
                    "assessment:weights_endmodel",
                    {"grade": new, "links": [], "notes": ""},
                    user=curator,
                    rationale="benchmark",
                    evidence_link="https://example.org/evidence",
                )
            )
            propose_times.append(time.perf_counter() - started)

        client = Client()
        client.force_login(reviewer)
        queue_ms, queue_queries = _timed_get(client, "/admin/curation/changerequest/?state__exact=pending")
        list_ms, list_queries = _timed_get(client, "/admin/curation/aimodel/")
        form_ms, form_queries = _timed_get(client, f"/admin/curation/aimodel/{models[0].pk}/change/")

        # The review work itself; in the embedded (eager Celery) mode each commit also
        # regenerates stale charts inline, which is measured separately on a few approvals.
        approve_times, eager_times = [], []
        with mock.patch("curation.receivers.request_chart_regeneration"):
            for cr in requests[:-3]:
                started = time.perf_counter()
                services.approve(cr, reviewer, "benchmark")
                approve_times.append(time.perf_counter() - started)
        for cr in requests[-3:]:
            started = time.perf_counter()
            services.approve(cr, reviewer, "benchmark")
            eager_times.append(time.perf_counter() - started)

    return {
        "review_models": model_count,
        "review_propose_p50_ms": _ms(statistics.median(propose_times)),
        "review_approve_p50_ms": _ms(statistics.median(approve_times)),
        "review_approve_max_ms": _ms(max(approve_times)),
        "review_approve_with_inline_charts_p50_ms": _ms(statistics.median(eager_times)),
        "admin_queue_ms": queue_ms,
        "admin_queue_queries": queue_queries,
        "admin_model_list_ms": list_ms,
        "admin_model_list_queries": list_queries,
        "admin_model_form_ms": form_ms,
        "admin_model_form_queries": form_queries,
    }
