"""Storing Hub readings: the one way rows of RepoAdoption are written.

`store_readings` inserts (or, for a repository and day already stored, replaces) readings and
keeps `last_of_month` true on exactly each repository's last `ok` reading of each calendar
month touched, in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from curation.models import AdoptionStatus, RepoAdoption

UPDATED_FIELDS = ["status", "downloads", "downloads_all_time", "likes", "detail", "fetched_at"]


@transaction.atomic
def store_readings(rows: Iterable[RepoAdoption]) -> int:
    """Store `rows` (unsaved RepoAdoption); returns how many were given."""
    rows = list(rows)
    if not rows:
        return 0
    RepoAdoption.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["repo_id", "day"],
        update_fields=UPDATED_FIELDS,
    )
    touched: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in rows:
        touched[(row.day.year, row.day.month)].add(row.repo_id)
    for (year, month), repos in touched.items():
        settle_month(year, month, repos)
    return len(rows)


def settle_month(year: int, month: int, repo_ids: Iterable[str] | None = None) -> None:
    """Mark the last `ok` reading of the month of each repository (of `repo_ids`, default all)."""
    scope = RepoAdoption.objects.filter(day__year=year, day__month=month)
    if repo_ids is not None:
        scope = scope.filter(repo_id__in=list(repo_ids))
    last = dict(
        scope.filter(status=AdoptionStatus.OK)
        .values("repo_id")
        .annotate(last=Max("day"))
        .order_by()
        .values_list("repo_id", "last")
    )
    scope.filter(last_of_month=True).update(last_of_month=False)
    by_day: dict = defaultdict(list)
    for repo_id, day in last.items():
        by_day[day].append(repo_id)
    for day, repos in by_day.items():
        scope.filter(day=day, repo_id__in=repos).update(last_of_month=True)
