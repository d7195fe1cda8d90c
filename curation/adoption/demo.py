"""Made-up adoption figures for the demo site, so that the adoption charts show on first run.

The file (`curation/demo_adoption.json`) gives, per repository, the downloads in the last 30
days and the likes at the end of each month; they are stored as readings on each month's last
day. Loading again changes nothing.
"""

from __future__ import annotations

import calendar
import datetime
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from curation.datachanges import record_data_change
from curation.models import AdoptionStatus, RepoAdoption

from .figures import refresh_model_figures
from .readings import store_readings

DEMO_ADOPTION = Path(__file__).resolve().parents[1] / "demo_adoption.json"


def _month_end(month: str) -> datetime.date:
    year, number = (int(part) for part in month.split("-"))
    return datetime.date(year, number, calendar.monthrange(year, number)[1])


@transaction.atomic
def load_demo_adoption(path: Path = DEMO_ADOPTION) -> int:
    """Store the file's readings (one per repository and month); returns how many are new.

    Raises ValueError naming the repository whose figures do not match the months."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    days = [_month_end(month) for month in doc["months"]]
    now = timezone.now()
    rows = []
    for repo, figures in doc["repositories"].items():
        downloads, likes = figures["downloads"], figures["likes"]
        if len(downloads) != len(days) or len(likes) != len(days):
            raise ValueError(
                f"{path}: {repo}: {len(days)} months, but {len(downloads)} downloads and {len(likes)} likes"
            )
        total = 0
        for day, n, liked in zip(days, downloads, likes, strict=True):
            total += n
            rows.append(
                RepoAdoption(
                    repo_id=repo,
                    day=day,
                    status=AdoptionStatus.OK,
                    downloads=n,
                    downloads_all_time=total,
                    likes=liked,
                    fetched_at=now,
                )
            )
    existing = set(RepoAdoption.objects.filter(day__in=days).values_list("repo_id", "day"))
    new = [row for row in rows if (row.repo_id, row.day) not in existing]
    store_readings(new)
    if new:
        refresh_model_figures()
        record_data_change(f"demo adoption figures: {len(new)} readings", kept_in_history=True)
    return len(new)
