"""Reader and curator paths at 10,000 models and at a larger index (100,000 by default).

`manage.py benchmark --scale 100000` (not part of the default run: filling the database takes
minutes). The same scratch database is measured at 10,000 synthetic models, then filled up to
the larger size and measured again, each time after VACUUM ANALYZE on PostgreSQL (as autovacuum
leaves a table soon after a bulk insert); every figure is the median of a few uncached requests
(caches are emptied before each), through Django's full middleware stack in-process.

- `scale_<path>_ms_<n>k`: wall time of one uncached request, and `scale_<path>_queries_<n>k` its
  database queries, for `index` (/models/), `filtered` (/models/ with type, grade filters and a
  category ordering), `search` (/models/?q= a model's number, matched anywhere in the names),
  `model` (a model page), `csv` (/models.csv, the file the worker wrote for this data version),
  `csv_stream` (/models.csv?ordering=-total: the same rows streamed from the
  database, as a reader gets them before the file is written or with any filter), `api`
  (/api/v1/models/, a page of 100), `admin` (the admin's model list, as a superuser), `as_of`
  (/models/?as_of=today: the past index; with nothing but additions since, paged by the database).
- `scale_downloads_write_seconds_<n>k`: the worker's time to write the four downloads of a data
  version (curation.public.downloads.write_current_files).
- `as_of_past` paths, measured last at each size: history is written so that every model changed
  after a past day (one grade each, `_change_every_model`), then `as_of_past_history` and
  `as_of_past_history_filtered` (/models/?as_of=<that day>, and with a type filter and a
  category ordering) are measured as readers get them before the worker has written the model
  periods (rebuilt from history), `scale_periods_write_seconds_<n>k` is the worker's time to
  write them (curation.public.model_periods), and `as_of_past` and `as_of_past_filtered` the
  same pages read from them; `as_of_past_edited*` the same pages right after a curator's edit,
  before the worker has written the periods again (they still hold for that day).
- `scale_<path>_peak_mb_<n>k`: the largest growth of the process's resident memory during the
  request, over what it held before (sampled every 5 ms).
- `scale_<path>_growth`: the larger index's time over the 10,000-model time (target: under 2).
Everything runs in a scratch database; the site's own data is never touched.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import threading
import time
from unittest import mock

from curation.benchmarks import benchmark, forget_cache, scratch_database

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE_BYTES
    except OSError:  # not Linux: no figure
        return 0


class _PeakMemory:
    """The largest resident memory seen while the block runs, sampled every 5 ms."""

    def __enter__(self):
        self.before = self.peak = _rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_bytes())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_bytes())
        return False

    @property
    def extra_mb(self) -> float:
        return round((self.peak - self.before) / 2**20, 1)


def _paths(client) -> dict[str, tuple[str, dict]]:
    from curation.models import AIModel

    slug = AIModel.objects.public().index_order().values_list("slug", flat=True)[500]
    today = datetime.date.today().isoformat()
    return {
        "index": ("/models/", {}),
        "filtered": (
            "/models/?type=text&grade_licenses=open&grade_weights_basemodel=open&grade_weights_basemodel=partial"
            "&ordering=-category_availability",
            {},
        ),
        "search": ("/models/?q=Model%2000123", {}),
        "model": (f"/models/{slug}/", {}),
        "csv": ("/models.csv", {}),
        "csv_stream": ("/models.csv?ordering=-total", {}),
        "api": ("/api/v1/models/?page_size=100", {"HTTP_ACCEPT": "application/json"}),
        "admin": ("/admin/curation/aimodel/", {"admin": True}),
        "as_of": (f"/models/?as_of={today}", {}),
    }


# The past day of the `as_of_past` paths: models made before it, every one changed after it.
_PAST_MADE = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
_PAST_DAY = datetime.date(2025, 6, 1)
_PAST_CHANGED = datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)


def _past_paths() -> dict[str, str]:
    day = _PAST_DAY.isoformat()
    return {
        "as_of_past": f"/models/?as_of={day}",
        "as_of_past_filtered": f"/models/?as_of={day}&type=text&ordering=-category_availability",
    }


def _edit_one_model(user) -> None:
    """A superuser's direct edit of one model's performance class, through the review services."""
    from curation.models import AIModel
    from curation.review.services import edit_directly

    model = AIModel.objects.order_by("pk")[0]
    after = "latest" if model.performance_class != "latest" else "full"
    edit_directly(model, "performance_class", after, user=user, rationale="Benchmark: an edit after the periods")


def _change_every_model() -> int:
    """Record, as the review services would, that every model's licence grade changed after
    `_PAST_DAY` (one entry per model, a second apart, bulk-written), with the assessments set to
    the new grade and the stored scores recomputed; returns how many models changed."""
    from django.db import transaction

    from curation.assessments import recompute_all_scores
    from curation.datachanges import record_data_change
    from curation.models import AIModel, Assessment, HistoryEntry

    with transaction.atomic():
        AIModel.objects.update(created_at=_PAST_MADE)
        grades = list(
            Assessment.objects.filter(dimension__ref="licenses").values_list("ai_model_id", "ai_model__name", "grade")
        )
        entries = []
        for position, (model_id, name, grade) in enumerate(grades):
            after = "closed" if grade == "open" else "open"
            entries.append(
                HistoryEntry(
                    applied_at=_PAST_CHANGED + datetime.timedelta(seconds=position),
                    ai_model_id=model_id,
                    target_label=name,
                    field="assessment:licenses",
                    before={"grade": grade, "links": [], "notes": ""},
                    after={"grade": after, "links": [], "notes": ""},
                )
            )
        HistoryEntry.objects.bulk_create(entries, batch_size=2000)
        licences = Assessment.objects.filter(dimension__ref="licenses")
        opened = list(licences.exclude(grade="open").values_list("pk", flat=True))
        licences.filter(grade="open").update(grade="closed")
        for start in range(0, len(opened), 30_000):  # within SQLite's bound on query parameters
            Assessment.objects.filter(pk__in=opened[start : start + 30_000]).update(grade="open")
        recompute_all_scores()
        record_data_change("benchmark: every model regraded")
    return len(entries)


def _measure(client, admin_client, url: str, options: dict, runs: int) -> tuple[float, int, float]:
    """(median ms, queries, largest extra MB) of `runs` uncached requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    use = admin_client if options.get("admin") else client
    headers = {k: v for k, v in options.items() if k != "admin"}
    times, queries, peaks = [], 0, []
    for _ in range(runs):
        forget_cache()
        with CaptureQueriesContext(connection) as captured, _PeakMemory() as memory:
            started = time.perf_counter()
            response = use.get(url, **headers)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            else:
                _ = response.content  # the whole body, as a client reads it
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
        peaks.append(memory.extra_mb)
    return round(statistics.median(times) * 1000, 1), queries, max(peaks)


def measure_scale(sizes: list[int], runs: int, progress=None) -> dict:
    """The figures of this module's docstring, at each size of `sizes` (ascending)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from curation.public import download_files
    from curation.public.downloads import write_current_files
    from curation.public.filter_options import write_current_options
    from curation.public.model_periods import write_current_periods
    from curation.synthetic import populate_synthetic

    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    figures: dict = {}
    client = Client()
    admin_client = Client()
    with scratch_database() as bench, mock.patch("curation.receivers.request_chart_regeneration", return_value=True):
        admin = get_user_model().objects.create_superuser("scale-admin", "scale@example.org", "x")
        admin_client.force_login(admin)
        filled = 0
        for size in sizes:
            say(f"  scale: filling to {size} models")
            started = time.perf_counter()
            while filled < size:
                step = min(10_000, size - filled)
                populate_synthetic(step, prefix=f"Scale{filled:06d}", seed=filled + 1)
                filled += step
            figures[f"scale_fill_seconds_{size // 1000}k"] = round(time.perf_counter() - started, 1)
            if bench.connection.vendor == "postgresql":
                # What autovacuum does soon after a bulk insert (PostgreSQL 13 and later vacuum
                # tables after many inserts, not only after updates): statistics for the planner,
                # and the visibility map that lets index-only scans skip the table. Without it a
                # freshly filled database measures a state a running site leaves within minutes.
                with bench.connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE")
            paths = _paths(client)
            client.get("/models/?warm=1")  # imports and template compilation
            # What the worker does after the data change: write this version's downloads (and
            # the index's filter options, not timed: a fraction of a second).
            download_files.remember_address("http://testserver/models/")
            started = time.perf_counter()
            write_current_files()
            figures[f"scale_downloads_write_seconds_{size // 1000}k"] = round(time.perf_counter() - started, 1)
            write_current_options()
            suffix = f"{size // 1000}k"
            for name, (url, options) in paths.items():
                ms, queries, extra_mb = _measure(client, admin_client, url, options, runs)
                figures[f"scale_{name}_ms_{suffix}"] = ms
                figures[f"scale_{name}_queries_{suffix}"] = queries
                figures[f"scale_{name}_peak_mb_{suffix}"] = extra_mb
                say(f"  scale {suffix}: {name} {ms} ms, {queries} queries, +{extra_mb} MB")
            say(f"  scale {suffix}: changing every model after {_PAST_DAY}")
            _change_every_model()
            if bench.connection.vendor == "postgresql":
                with bench.connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            stage_names = {"history": "as_of_past_history", "periods": "as_of_past", "edited": "as_of_past_edited"}
            for stage, stage_name in stage_names.items():
                if stage == "periods":  # what the worker does after the change
                    started = time.perf_counter()
                    write_current_periods()
                    figures[f"scale_periods_write_seconds_{suffix}"] = round(time.perf_counter() - started, 1)
                    say(
                        f"  scale {suffix}: model periods written in {figures[f'scale_periods_write_seconds_{suffix}']} s"
                    )
                if stage == "edited":  # a curator's edit today, before the worker writes the periods again
                    _edit_one_model(admin)
                for name, url in _past_paths().items():
                    name = name.replace("as_of_past", stage_name)
                    ms, queries, extra_mb = _measure(client, admin_client, url, {}, runs)
                    figures[f"scale_{name}_ms_{suffix}"] = ms
                    figures[f"scale_{name}_queries_{suffix}"] = queries
                    figures[f"scale_{name}_peak_mb_{suffix}"] = extra_mb
                    say(f"  scale {suffix}: {name} {ms} ms, {queries} queries, +{extra_mb} MB")
        small, large = sizes[0] // 1000, sizes[-1] // 1000
        if len(sizes) > 1:
            for name in [*_paths(client), *_past_paths()]:
                base = figures[f"scale_{name}_ms_{small}k"]
                figures[f"scale_{name}_growth"] = (
                    round(figures[f"scale_{name}_ms_{large}k"] / base, 2) if base else None
                )
        forget_cache()
    return figures


@benchmark(
    "scale", "reader and curator paths at 10,000 models and at --scale N models: time, queries, memory", on_request=True
)
def scale_figures(quick: bool = False, size: int = 100_000) -> dict:
    if quick:
        return measure_scale([1000, 3000], runs=1)
    return measure_scale([10_000, max(size, 10_000)], runs=3)
