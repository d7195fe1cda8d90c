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

from django.db.models import Max, QuerySet
from django.db.models.functions import Lower

from curation.models import AdoptionStatus, AIModel, RepoAdoption

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
    # repository -> its latest reading: (day, status, downloads, all-time downloads, likes)
    latest_by_repo: dict[str, tuple] = field(default_factory=dict)

    def monthly_series(self) -> list[tuple[str, int]]:
        return sorted(self.monthly.items())


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
        return (
            f"Coverage: {self.covered} of {self.models} models have Hugging Face adoption data "
            f"({self.with_repositories} have repositories)."
        )

    def coverage(self) -> dict:
        """Coverage as charts publish it (JSON): counts of models and the sentence."""
        return {
            "models": self.models,
            "with_repositories": self.with_repositories,
            "with_adoption_data": self.covered,
            "text": self.coverage_note(),
        }


def month_of(day) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# Up to this many repositories, only their rows are read (pages); above, every row is scanned.
_FEW_REPOSITORIES = 200


def adoption_of(models: QuerySet) -> Adoption:
    """The figures of `models` (an AIModel queryset): three queries whatever their number."""
    by_model = repo_ids_by_model(models)
    owners = repository_owners(by_model)
    total = models.order_by().count()
    rows = RepoAdoption.objects.filter(status=AdoptionStatus.OK)
    if len(owners) <= _FEW_REPOSITORIES:
        rows = rows.alias(repo_lower=Lower("repo_id")).filter(repo_lower__in=list(owners))
    # Only each repository's last reading of each month (readings.store_readings marks it): a year
    # of daily readings costs twelve rows per repository here.
    readings = (
        rows.filter(last_of_month=True)
        .order_by("repo_id", "day")
        .values_list("repo_id", "day", "downloads", "downloads_all_time", "likes")
    )
    # Per (model, repository): the last reading of each month, and the latest reading overall.
    last_in_month: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    latest: dict[tuple[int, str], tuple] = {}
    for repo_id, day, downloads, all_time, likes in readings.iterator(chunk_size=5000):
        key = repo_id.lower()
        owner = owners.get(key)
        if owner is None:
            continue
        last_in_month[(owner, key)][month_of(day)] = downloads or 0
        latest[(owner, key)] = (day, downloads, all_time, likes)
    figures: dict[int, ModelAdoption] = {}
    for (owner, key), (day, downloads, all_time, likes) in latest.items():
        entry = figures.setdefault(
            owner, ModelAdoption(repositories=[r for r in by_model[owner] if owners.get(r.lower()) == owner])
        )
        entry.downloads = _add(entry.downloads, downloads)
        entry.downloads_all_time = _add(entry.downloads_all_time, all_time)
        entry.likes = _add(entry.likes, likes)
        entry.read_on = max(entry.read_on, day) if entry.read_on else day
        for month, value in last_in_month[(owner, key)].items():
            entry.monthly[month] = entry.monthly.get(month, 0) + value
        entry.latest_by_repo[key] = (day, AdoptionStatus.OK, downloads, all_time, likes)
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


FIGURE_FIELDS = ("hf_downloads", "hf_downloads_all_time", "hf_likes", "hf_read_on")


def latest_readings() -> dict[str, tuple]:
    """{repository id (lower case): (day, downloads, all-time downloads, likes)} of each
    repository's latest `ok` reading. Two queries over the month-end readings only."""
    months = RepoAdoption.objects.filter(status=AdoptionStatus.OK, last_of_month=True)
    last = dict(months.values("repo_id").annotate(last=Max("day")).order_by().values_list("repo_id", "last"))
    found: dict[str, tuple] = {}
    rows = months.filter(day__in=set(last.values())).values_list(
        "repo_id", "day", "downloads", "downloads_all_time", "likes"
    )
    for repo_id, day, downloads, all_time, likes in rows.iterator(chunk_size=5000):
        if last.get(repo_id) == day:
            key = repo_id.lower()
            if key not in found or found[key][0] < day:
                found[key] = (day, downloads, all_time, likes)
    return found


def refresh_model_figures() -> int:
    """Write every model's latest figures onto it (AIModel.hf_downloads…), for sorting and
    listing; returns how many models changed. Called by each fetch run and when a model's
    repositories are set; its cost follows the number of models and repositories, not of
    readings. Runs in the caller's transaction."""
    owners = repository_owners(repo_ids_by_model(AIModel.objects.all()))
    latest = latest_readings()
    per_model: dict[int, tuple] = {}
    for key, owner in owners.items():
        if key in latest:
            day, downloads, all_time, likes = latest[key]
            before = per_model.get(owner, (None, None, None, None))
            per_model[owner] = (
                _add(before[0], downloads),
                _add(before[1], all_time),
                _add(before[2], likes),
                max(before[3], day) if before[3] else day,
            )
    changed = []
    for model in AIModel.objects.only("pk", *FIGURE_FIELDS).iterator(chunk_size=2000):
        wanted = per_model.get(model.pk, (None, None, None, None))
        if tuple(getattr(model, name) for name in FIGURE_FIELDS) != wanted:
            for name, value in zip(FIGURE_FIELDS, wanted, strict=True):
                setattr(model, name, value)
            changed.append(model)
    AIModel.objects.bulk_update(changed, FIGURE_FIELDS, batch_size=1000)
    return len(changed)


@dataclass
class RepositoryReading:
    """A repository as a model page shows it: its latest reading, of any status."""

    repo_id: str
    status: str | None = None  # None: never read
    day: object = None
    downloads: int | None = None
    downloads_all_time: int | None = None
    likes: int | None = None

    @property
    def url(self) -> str:
        return f"https://huggingface.co/{self.repo_id}"


def model_adoption(model: AIModel) -> tuple[ModelAdoption | None, list[RepositoryReading]]:
    """One model's figures (None without adoption data) and each of its repositories' latest
    reading. Each of its repositories counts here, even one another model also claims."""
    repos = model.hf_repo_ids()
    figures = adoption_of(AIModel.objects.filter(pk=model.pk)).by_model.get(model.pk)
    latest: dict[str, RepoAdoption] = {}
    rows = (
        RepoAdoption.objects.alias(repo_lower=Lower("repo_id"))
        .filter(repo_lower__in=[r.lower() for r in repos])
        .order_by("day", "id")
    )
    for row in rows:
        latest[row.repo_id.lower()] = row
    readings = []
    for repo in repos:
        row = latest.get(repo.lower())
        readings.append(
            RepositoryReading(repo)
            if row is None
            else RepositoryReading(repo, row.status, row.day, row.downloads, row.downloads_all_time, row.likes)
        )
    return figures, readings


@dataclass
class GroupAdoption:
    """Figures of a group of models (an organisation's): sums over the models with data."""

    models: int
    covered: int
    downloads: int | None
    likes: int | None
    monthly: list[tuple[str, int]]


def group_adoption(models: QuerySet) -> GroupAdoption:
    """Sums over `models` (a repository shared by two of them counts once)."""
    adoption = adoption_of(models)
    monthly: dict[str, int] = defaultdict(int)
    downloads = likes = None
    for figures in adoption.by_model.values():
        downloads = _add(downloads, figures.downloads)
        likes = _add(likes, figures.likes)
        for month, n in figures.monthly.items():
            monthly[month] += n
    return GroupAdoption(adoption.models, adoption.covered, downloads, likes, sorted(monthly.items()))
