"""Adoption figures per model and per month, read from the stored Hub rows.

Rules, the same for pages, charts, the API and downloads:
- a model's downloads in a month are the sum, over its repositories, of the downloads in the
  last 30 days that the Hub gave on the LAST day of that month on which the repository was read
  (so a daily run gives each calendar month's downloads); likes and all-time downloads are
  those of the latest reading;
- only readings with status `ok` count; a repository the Hub no longer has adds nothing;
- a repository claimed by several models counts for the one with the lowest id
  (`repos.repository_owners`), so no download is counted twice;
- a model "has adoption data" when at least one of its repositories was read at least once.
Months are "YYYY-MM" strings. Source: the Hugging Face Hub's model API (`downloads`,
`downloadsAllTime`, `likes`), read by `curation.adoption.fetch`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from curation.models import AdoptionStatus, RepoAdoption

from .repos import repo_ids_by_model, repository_owners


@dataclass
class ModelAdoption:
    """One model's latest figures (None where no repository gave one) and its monthly downloads."""

    repositories: list[str]
    downloads: int | None = None  # last 30 days, at the latest reading
    downloads_all_time: int | None = None
    likes: int | None = None
    read_on: object = None  # the day of the latest reading (a date)
    monthly: dict[str, int] = field(default_factory=dict)


@dataclass
class Adoption:
    """Figures of a set of models: `by_model` holds the models that have adoption data."""

    models: int  # how many models were looked at
    with_repositories: int
    by_model: dict[int, ModelAdoption]

    @property
    def covered(self) -> int:
        return len(self.by_model)

    def months(self) -> list[str]:
        return sorted({month for figures in self.by_model.values() for month in figures.monthly})

    def coverage_note(self) -> str:
        """The sentence every adoption figure carries: how many models it stands for."""
        return (f"Coverage: {self.covered} of {self.models} models have Hugging Face adoption data "
                f"({self.with_repositories} have repositories).")

    def coverage(self) -> dict:
        """Coverage as charts publish it (JSON): counts of models and the sentence."""
        return {"models": self.models, "with_repositories": self.with_repositories,
                "with_adoption_data": self.covered, "text": self.coverage_note()}


def month_of(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def adoption_of(models: QuerySet) -> Adoption:
    """The figures of `models` (an AIModel queryset): three queries whatever their number."""
    by_model = repo_ids_by_model(models)
    owners = repository_owners(by_model)
    total = models.order_by().count()
    rows = (
        RepoAdoption.objects.filter(status=AdoptionStatus.OK)
        .order_by("repo_id", "day")
        .values_list("repo_id", "day", "downloads", "downloads_all_time", "likes")
    )
    # Per (model, repository): the last reading of each month, and the latest reading overall.
    last_in_month: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    latest: dict[tuple[int, str], tuple] = {}
    for repo_id, day, downloads, all_time, likes in rows.iterator(chunk_size=5000):
        key = repo_id.lower()
        owner = owners.get(key)
        if owner is None:
            continue
        last_in_month[(owner, key)][month_of(day)] = downloads or 0
        latest[(owner, key)] = (day, downloads, all_time, likes)
    figures: dict[int, ModelAdoption] = {}
    for (owner, key), (day, downloads, all_time, likes) in latest.items():
        entry = figures.setdefault(owner, ModelAdoption(repositories=[r for r in by_model[owner] if owners.get(r.lower()) == owner]))
        entry.downloads = _add(entry.downloads, downloads)
        entry.downloads_all_time = _add(entry.downloads_all_time, all_time)
        entry.likes = _add(entry.likes, likes)
        entry.read_on = max(entry.read_on, day) if entry.read_on else day
        for month, value in last_in_month[(owner, key)].items():
            entry.monthly[month] = entry.monthly.get(month, 0) + value
    return Adoption(models=total, with_repositories=len(by_model), by_model=figures)


def _add(a: int | None, b: int | None) -> int | None:
    if b is None:
        return a
    return b if a is None else a + b


def herfindahl_hirschman(sizes) -> float:
    """The Herfindahl–Hirschman index of market shares in percent: sum of squared shares,
    0 (no concentration) to 10,000 (one holder); 0.0 for no total."""
    total = sum(sizes)
    return sum((100 * s / total) ** 2 for s in sizes) if total else 0.0


def top_share(sizes, n: int = 5) -> float:
    """The share (%) of the `n` largest holders; 0.0 for no total."""
    total = sum(sizes)
    return 100 * sum(sorted(sizes, reverse=True)[:n]) / total if total else 0.0
