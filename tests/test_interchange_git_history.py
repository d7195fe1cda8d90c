"""Replaying the whole upstream history (../shared/data/main-database-history.bundle).

Every commit of the bundle is imported in turn; at 24 commits spread over the history the site's
/models.csv, straight after that commit, equals upstream's download computed independently from
that commit's files (tests/upstream_reference.py: PyYAML and upstream's rules, no project code),
and again later through `?as_of=` that commit's day. The article "The role of Big Tech in
open-source AI" counted the index of 2025-06-09: 141 models, 20 of them in the latest class, and
its pie charts' slices are read off /charts/<key>.json?as_of=2025-06-09. After the whole history,
the site's pages (../shared/data/site-pages) import with no broken internal link.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import subprocess
import tarfile

import pytest
import yaml

from curation.editorial.importer import import_pages
from curation.interchange.git_history import commits_of, import_git_history
from curation.models import AIModel, HistoryEntry, Post, RegistryVersion

from .conftest import HISTORY_BUNDLE, SHARED_PAGES
from .upstream_reference import upstream_csv

CHECKS = 24
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _files_at(repo, commit: str) -> dict[str, str]:
    """The top-level files of a commit, as text (one `git archive`)."""
    archive = subprocess.run(
        ["git", "-C", str(repo), "archive", "--format=tar", commit], capture_output=True, check=True
    )
    files = {}
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():
            if member.isfile() and "/" not in member.name:
                files[member.name] = tar.extractfile(member).read().decode("utf-8-sig")
    return files


def _upstream_could_list(files: dict[str, str]) -> bool:
    """Whether upstream's site could list this commit at all: a registry it can read, with `types`
    on every dimension, and a `system.type` text in every model file (else its code throws)."""
    try:
        registry = yaml.load(files.get("_parameters.yml", ""), Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
        if not isinstance(registry, list) or not all(
            isinstance(p, dict) and isinstance(p.get("types"), list) for c in registry for p in c.get("params") or []
        ):
            return False
        for name, text in files.items():
            if name.endswith(".yaml") and name != "a_submission_template.yaml":
                system = (yaml.load(text, Loader=_Loader) or {}).get("system")  # noqa: S506 - _Loader is a SafeLoader
                if not isinstance(system, dict) or not isinstance(system.get("type"), str):
                    return False
    except yaml.YAMLError:
        return False
    return True


def _end_of_utc_day(moment: datetime.datetime) -> datetime.datetime:
    day = moment.astimezone(datetime.UTC).date()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)


@pytest.fixture
def history_repo(tmp_path):
    if not HISTORY_BUNDLE.is_file():
        pytest.fail(f"{HISTORY_BUNDLE} not found")
    repo = tmp_path / "main-database"
    subprocess.run(["git", "clone", "--quiet", str(HISTORY_BUNDLE), str(repo)], check=True)
    return repo


def _without_urls(text: str) -> list[list[str]]:
    return [row[:1] + row[2:] for row in csv.reader(io.StringIO(text))]


def _urls(text: str) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in list(csv.reader(io.StringIO(text)))[1:]]


def _site_csv(client, **params) -> str:
    response = client.get("/models.csv", params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode("utf-8")


@pytest.mark.slow
def test_replaying_every_commit_lists_each_snapshot_as_upstream_did(client, db, history_repo):
    commits = commits_of(history_repo)
    assert len(commits) == 678
    files_of: dict[str, dict] = {}

    def files(commit):
        if commit.id not in files_of:
            files_of[commit.id] = _files_at(history_repo, commit.id)
        return files_of[commit.id]

    # Spread over the whole history: from evenly spaced positions, the first commit on or after
    # each that upstream's site could list.
    chosen: dict[str, int] = {}
    for i in range(CHECKS):
        position = round(i * (len(commits) - 1) / (CHECKS - 1))
        while position < len(commits) and (
            commits[position].id in chosen or not _upstream_could_list(files(commits[position]))
        ):
            position -= 1 if i == CHECKS - 1 else -1
        chosen[commits[position].id] = position
    assert len(chosen) == CHECKS
    checked = []

    def after(commit, report):
        if commit.id not in chosen:
            return
        files = files_of[commit.id]
        pages = {m.upstream_filename: f"http://testserver/models/{m.slug}/" for m in AIModel.objects.all()}
        expected = upstream_csv(files, files["_parameters.yml"], lambda row: pages[row["file"]])
        # The query string only keeps the page cache of an earlier commit out of the way.
        assert _site_csv(client, commit=commit.id) == expected, f"after {commit.id[:7]} {commit.date} {commit.message}"
        checked.append(commit)

    reports = import_git_history(history_repo, after_commit=after)
    assert len(reports) == 678 and len(checked) == CHECKS
    first, last = checked[0].date, checked[-1].date
    assert first < datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC) < last

    # Each change is dated by its commit, and says which commit it came from.
    entry = HistoryEntry.objects.filter(import_run__isnull=False).order_by("applied_at").first()
    assert entry.applied_at < datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC)
    assert entry.rationale.startswith("Imported from upstream commit ")
    assert RegistryVersion.objects.count() > 1

    # Later, a past date shows that date's index: names, links, registry and scores.
    as_of_checked = []
    for commit in checked:
        end = _end_of_utc_day(commit.date)
        day = (end - datetime.timedelta(days=1)).date()
        last = max((c for c in commits if c.date < end), key=lambda c: c.date)  # the day's last commit
        if not _upstream_could_list(files(last)):
            continue
        expected = _without_urls(upstream_csv(files(last), files(last)["_parameters.yml"]))
        site = _site_csv(client, as_of=day.isoformat())
        # Files renamed since have today's file names: the URL column (a model page) is left out.
        assert _without_urls(site) == expected, f"as_of {day} ({last.id[:7]})"
        assert all(url.startswith("http://testserver/models/") for _, url in _urls(site))
        as_of_checked.append(day)
    assert len(as_of_checked) >= 20

    # The index of 2025-06-09, as the article "The role of Big Tech in open-source AI" counted it.
    published = {
        "academic-share": (141, {"Academic": 43}),
        "national-origins": (141, {"United States": 55, "China": 44, "International": 20}),
        "big-tech-share": (141, {"American Big Tech": 20, "Chinese Big Tech": 7, "Chinese AI Tigers": 11}),
        "national-origins-latest": (20, {"China": 8, "United States": 7, "International": 3}),
        "big-tech-share-latest": (20, {"American Big Tech": 6, "Chinese Big Tech": 2}),
    }
    for key, (total, slices) in published.items():
        response = client.get(f"/charts/{key}.json", {"as_of": "2025-06-09"})
        assert response.status_code == 200
        data = response.json()
        counts = {s["label"]: s["count"] for s in data["slices"]}
        assert (data["total"], {label: counts.get(label) for label in slices}) == (total, slices), key

    # The site's pages, imported after the whole history: every internal link resolves. The
    # education guide compares two models upstream deleted on 2025-03-04; they are withdrawn
    # from the index, and the link leads to their last grades under a notice.
    report = import_pages(SHARED_PAGES)
    assert report.broken_links == [] and report.unknown_components == []
    gone = AIModel.objects.filter(upstream_filename__in=["olmo-7b-instruct.yaml", "pythia-chat-base-7B.yaml"])
    assert [(m.is_withdrawn, m.removed_upstream_at.date()) for m in gone] == [(True, datetime.date(2025, 3, 4))] * 2
    guide = Post.objects.get(slug="open-llms-education")
    target = re.search(r"\(/compare/\?models=([^)]+)\)", guide.body).group(1)
    response = client.get(f"/compare/?models={target}")
    assert response.status_code == 200 and response.content.decode().count("withdrawn from the index on") == 2
