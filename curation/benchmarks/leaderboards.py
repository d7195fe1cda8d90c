"""Speed of the dimension leaderboards (`/dimensions/<ref>/`). Their share over time on past days
rebuilds the index from history once per sampled day (at most 11) for every dimension at once:
the worker does that after each data change; readers read what it stored, and today's shares
from today's data.

- `dimension_first_miss_ms_<n>`: the first uncached dimension page after a data change (today's
  shares of every dimension counted, the past read from what the worker stored);
- `dimension_other_miss_ms_<n>`: another dimension's uncached page right after (the shares are
  remembered per data version, so it pays for its own leaderboard only);
- `dimension_cached_ms_<n>`: a page served from the page cache;
- `dimension_worker_past_shares_seconds_<n>`: the worker working out the past days' shares.

`<n>` is the number of models: the shared snapshot's, then synthetic models; each with one grade
change per model spread over the two years before today (history the rebuild has to undo).
"""

from __future__ import annotations

import datetime
import random
import time
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.utils import timezone

from curation.benchmarks import benchmark, forget_cache, scratch_database

SHARED_DATABASE = Path(settings.BASE_DIR).parent / "shared" / "data" / "main-database"


def _spread_history(seed: int = 5) -> int:
    """Date every model's creation and one grade change of it at random over the last two years."""
    from curation.models import AIModel, HistoryEntry

    rng = random.Random(seed)
    now = timezone.now()
    entries = []
    for assessment in _one_assessment_per_model():
        created = now - datetime.timedelta(days=rng.randrange(400, 730))
        AIModel.objects.filter(pk=assessment.ai_model_id).update(created_at=created)
        entries.append(
            HistoryEntry(
                ai_model_id=assessment.ai_model_id,
                target_label=str(assessment.ai_model_id),
                field=f"assessment:{assessment.dimension.ref}",
                applied_at=now - datetime.timedelta(days=rng.randrange(1, 400)),
                before={"grade": rng.choice(["open", "partial", "closed"]), "links": [], "notes": ""},
                after={"grade": assessment.grade, "links": list(assessment.links or []), "notes": assessment.notes},
            )
        )
    HistoryEntry.objects.bulk_create(entries, batch_size=2000)
    return len(entries)


def _one_assessment_per_model():
    from curation.models import Assessment

    seen: set[int] = set()
    for assessment in Assessment.objects.select_related("dimension").order_by("ai_model_id", "dimension_id").iterator():
        if assessment.ai_model_id not in seen:
            seen.add(assessment.ai_model_id)
            yield assessment


def _timed(client, path: str) -> tuple[float, str]:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, path
    return round(elapsed * 1000, 1), response["X-Page-Cache"]


def _measure(client, figures: dict, label: str) -> None:
    from curation.datachanges import record_data_change
    from curation.models import Dimension
    from curation.public.leaderboards import work_out_past_shares

    refs = list(Dimension.objects.filter(is_active=True).values_list("ref", flat=True)[:2])
    client.get("/dimensions/")  # templates compiled, imports done
    record_data_change("benchmark: a new data version")
    figures[f"dimension_first_miss_ms_{label}"], _ = _timed(client, f"/dimensions/{refs[0]}/")
    figures[f"dimension_other_miss_ms_{label}"], _ = _timed(client, f"/dimensions/{refs[1]}/")
    figures[f"dimension_cached_ms_{label}"], status = _timed(client, f"/dimensions/{refs[1]}/")
    assert status == "hit"
    started = time.perf_counter()
    assert work_out_past_shares()
    figures[f"dimension_worker_past_shares_seconds_{label}"] = round(time.perf_counter() - started, 1)


@benchmark("leaderboards", "dimension pages: first and later uncached page after a data change, cached page")
def leaderboard_figures(quick: bool = False) -> dict:
    from django.test import Client

    from curation.synthetic import populate_synthetic

    figures: dict = {}
    client = Client()
    with mock.patch("curation.receivers.request_chart_regeneration", return_value=True):
        if SHARED_DATABASE.is_dir():
            from curation.interchange.importer import import_index
            from curation.models import AIModel

            with scratch_database():
                forget_cache()
                import_index(SHARED_DATABASE)
                _spread_history()
                _measure(client, figures, str(AIModel.objects.count()))
        with scratch_database():
            forget_cache()
            count = 2000 if quick else 10_000
            populate_synthetic(count, prefix="Board")
            _spread_history()
            _measure(client, figures, str(count))
    return figures
