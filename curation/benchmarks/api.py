"""Speed and query count of the API's model list.

- `api_models_p50_ms` / `api_models_p95_ms`: `GET /api/v1/models/?page_size=100` (a full page
  with every dimension's grade, evidence and the category scores), in-process through Django's
  middleware, at 10,000 synthetic models; each request carries a distinct query string and no
  validators, so nothing is answered from a cache.
- `api_models_next_page_p50_ms`: following the page's `next` cursor 20 pages deep.
- `api_models_filtered_p50_ms`: a filtered, category-ordered page (the shared FilterSet's
  grade filter and category-score ordering).
- `api_models_304_p50_ms`: the same list revalidated with its ETag (answered 304).
- `api_models_queries`: database queries of one uncached page of 100.
Everything runs in a scratch database; the site's own data is never touched.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from curation.benchmarks import benchmark, forget_cache, scratch_database

LIST_URL = "/api/v1/models/?page_size=100"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _timed(client, urls, **headers) -> list[float]:
    samples = []
    for url in urls:
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append(time.perf_counter() - started)
        assert response.status_code in (200, 304), (url, response.status_code, response.content[:200])
    return samples


@benchmark("api", "API model list: p50/p95 latency of a page of 100 at 10,000 models, and its queries")
def api_models(quick: bool = False) -> dict:
    from django.conf import settings
    from rest_framework.test import APIClient

    from curation.synthetic import populate_synthetic

    size = 1_000 if quick else 10_000
    runs = 10 if quick else 40
    # Unthrottled for the measurement: the anonymous limit would otherwise refuse the runs.
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    with scratch_database(), override_settings(REST_FRAMEWORK=rest):
        populate_synthetic(size, prefix="ApiBench")
        # Planner statistics as autovacuum would have them on a live site after a bulk load.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        forget_cache()
        client = APIClient()
        client.get(f"{LIST_URL}&warm=1")  # imports, URL resolver, first connection

        first_page = _timed(client, [f"{LIST_URL}&run={i}" for i in range(runs)])

        cursor_urls = []
        url = LIST_URL
        for _ in range(min(20, size // 100 - 1)):
            url = client.get(url).json()["next"]
            cursor_urls.append(url)
        next_pages = _timed(client, cursor_urls)

        filtered = _timed(
            client,
            [
                f"{LIST_URL}&grade_licenses=open&grade_licenses=partial&ordering=-category_availability&run={i}"
                for i in range(runs)
            ],
        )

        etag = client.get(LIST_URL)["ETag"]
        revalidated = _timed(client, [LIST_URL] * runs, HTTP_IF_NONE_MATCH=etag)

        forget_cache()
        with CaptureQueriesContext(connection) as captured:
            client.get(f"{LIST_URL}&count=1")

    return {
        "api_models_count": size,
        "api_models_p50_ms": _ms(statistics.median(first_page)),
        "api_models_p95_ms": _ms(_percentile(first_page, 0.95)),
        "api_models_next_page_p50_ms": _ms(statistics.median(next_pages)),
        "api_models_filtered_p50_ms": _ms(statistics.median(filtered)),
        "api_models_304_p50_ms": _ms(statistics.median(revalidated)),
        "api_models_queries": len(captured),
    }
