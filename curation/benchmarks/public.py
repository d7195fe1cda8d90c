"""Speed of the reader-facing index page, uncached and cached, and its query count.

- `index_p50_ms_*` / `index_p95_ms_*`: `/models/` rendered from the database (a distinct query
  string per request, so every request misses the page cache), through Django's full
  middleware stack in-process, at the shared snapshot and at 10,000 synthetic models.
- `index_cached_p50_ms`: the same page served from the whole-page cache.
- `index_queries_20` / `index_queries_2000`: database queries of one uncached index page.
- `index_as_of_ms_10k`: one uncached `/models/?as_of=` page (the index rebuilt from history).
- `index_vs_static_ratio`: over real HTTP from one server process on 127.0.0.1, the cached index
  page against the same bytes served as a static file (WhiteNoise) by that same process;
  requests alternate so both see the same noise.
Everything runs in scratch databases; the site's own data is never touched.
"""

from __future__ import annotations

import datetime
import http.client
import itertools
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings

from curation.benchmarks import benchmark, forget_cache, scratch_database

SHARED_DATABASE = Path(settings.BASE_DIR).parent / "shared" / "data" / "main-database"
INDEX_URL = "/models/"


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


_never_asked = itertools.count(random.randrange(300_000))


def _unseen_index_url() -> str:
    """The whole index under a query string never asked before, so it misses the page cache.
    The page cache keys only the parameters the index reads, so the string varies one of them:
    a release date lower bound far before any model (years 1000-1899), which filters nothing."""
    n = next(_never_asked) % 302_400
    day = datetime.date(1000 + n % 900, 1 + (n // 900) % 12, 1 + (n // 10_800) % 28)
    return f"{INDEX_URL}?released_from={day.isoformat()}"


def _uncached_timings(client, runs: int) -> list[float]:
    samples = []
    client.get(_unseen_index_url())  # first request pays for imports and template compilation
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(_unseen_index_url())
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    return samples


def _cached_timings(client, runs: int) -> list[float]:
    client.get(INDEX_URL)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(INDEX_URL)
        samples.append(time.perf_counter() - started)
        assert response["X-Page-Cache"] == "hit"
    return samples


def _as_of_timing(client) -> float:
    """One uncached `?as_of=` page: the whole index rebuilt in memory from today and history."""
    started = time.perf_counter()
    response = client.get(f"{_unseen_index_url()}&as_of={datetime.date.today().isoformat()}")
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    return time.perf_counter() - started


def _query_count(client) -> int:
    """Queries one uncached index page costs, the data version read from the database too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    forget_cache()
    with CaptureQueriesContext(connection) as captured:
        client.get(f"{INDEX_URL}?count={time.monotonic_ns()}")
    return len(captured)


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def _http_get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    body = connection.getresponse().read()
    connection.close()
    return body


def _serve_until_shutdown(server: WSGIServer) -> None:
    """Serve in this thread; on shutdown close the database connections the requests opened here,
    since persistent connections (CONN_MAX_AGE) would otherwise keep the benchmark's database in
    use and it could not be dropped."""
    from django.db import connections

    try:
        server.serve_forever()
    finally:
        connections.close_all()


def _cached_vs_static(runs: int) -> dict:
    """The cached page and the same bytes as a static file, from one server process."""
    from django.core.wsgi import get_wsgi_application
    from whitenoise import WhiteNoise

    with tempfile.TemporaryDirectory() as folder:
        application = WhiteNoise(get_wsgi_application(), autorefresh=False)
        server: WSGIServer = make_server("127.0.0.1", 0, application, handler_class=_QuietHandler)
        port = server.server_port
        thread = threading.Thread(target=_serve_until_shutdown, args=(server,), daemon=True)
        thread.start()
        try:
            page = _http_get(port, INDEX_URL)  # fills the page cache
            (Path(folder) / "index.html").write_bytes(page)
            application.add_files(folder, prefix="bench-static/")
            assert _http_get(port, "/bench-static/index.html") == page
            page_times, static_times = [], []
            for _ in range(runs):
                for path, samples in ((INDEX_URL, page_times), ("/bench-static/index.html", static_times)):
                    started = time.perf_counter()
                    _http_get(port, path)
                    samples.append(time.perf_counter() - started)
        finally:
            server.shutdown()
            thread.join()
            server.server_close()
    page_p50, static_p50 = statistics.median(page_times), statistics.median(static_times)
    return {
        "index_http_cached_p50_ms": _ms(page_p50),
        "index_http_static_p50_ms": _ms(static_p50),
        "index_vs_static_ratio": round(page_p50 / static_p50, 2),
        "index_page_bytes": len(page),
    }


@benchmark("public", "index page: uncached and cached latency, query counts, cached page vs static file")
def index_figures(quick: bool = False) -> dict:
    from django.test import Client

    from curation.synthetic import populate_synthetic

    runs = 10 if quick else 40
    big = 2000 if quick else 10_000
    figures: dict = {}
    client = Client()
    # Charts are a worker's job after commit; keep the imports and inserts below to themselves.
    with mock.patch("curation.receivers.request_chart_regeneration", return_value=True):
        if SHARED_DATABASE.is_dir():
            from curation.interchange.importer import import_index

            with scratch_database():
                forget_cache()
                import_index(SHARED_DATABASE)
                samples = _uncached_timings(client, runs)
                figures["index_p50_ms_shared"] = _ms(statistics.median(samples))
                figures["index_p95_ms_shared"] = _ms(_percentile(samples, 0.95))
                figures["index_cached_p50_ms_shared"] = _ms(statistics.median(_cached_timings(client, runs * 5)))

        with scratch_database():
            forget_cache()
            populate_synthetic(20, prefix="Bench")
            figures["index_queries_20"] = _query_count(client)
            populate_synthetic(1980, prefix="More", seed=3)
            figures["index_queries_2000"] = _query_count(client)
            if big > 2000:
                populate_synthetic(big - 2000, prefix="Most", seed=5)
            forget_cache()
            samples = _uncached_timings(client, runs)
            figures[f"index_p50_ms_{big // 1000}k"] = _ms(statistics.median(samples))
            figures[f"index_p95_ms_{big // 1000}k"] = _ms(_percentile(samples, 0.95))
            figures["index_cached_p50_ms"] = _ms(statistics.median(_cached_timings(client, runs * 5)))
            figures[f"index_as_of_ms_{big // 1000}k"] = _ms(_as_of_timing(client))
            figures.update(_cached_vs_static(runs * 5))
            forget_cache()
    return figures
