"""The charts on real snapshots of the upstream database, against the files' own tags.

- The current snapshot (../shared/data/main-database): every classification chart equals a count
  made here, file by file, from the tag comments of the files themselves.
- The index of 2025-06-09, the day the article "The role of Big Tech in open-source AI" drew its
  pie charts, extracted at test time from ../shared/data/main-database-history.bundle: the
  charts give the article's published figures.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from collections import Counter
from pathlib import Path

import pytest

from curation.charts.catalogue import get_spec
from curation.interchange import import_index

from .charts_helpers import pie_counts
from .conftest import SHARED_DATA, SHARED_DATABASE

HISTORY_BUNDLE = SHARED_DATA / "main-database-history.bundle"
TEMPLATE = "a_submission_template.yaml"
ARTICLE_DAY = "2025-06-09"

_TAG = re.compile(r"^#\s*-\s*(National origin|Contributor type)\s*:\s*(.*?)\s*$", re.MULTILINE)
_ORG_NAME = re.compile(r"^org:\s*\n\s+name:\s*(.*?)\s*$", re.MULTILINE)


# --- an independent reading of the files' tags ----------------------------------------------


def _file_tags(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    tags = {}
    for kind, value in _TAG.findall(text):
        tags.setdefault(kind, value)
    org = _ORG_NAME.search(text)
    tags["org"] = " ".join((org.group(1) if org else "").lower().split())
    return tags


def _sector(contributor: str) -> str:
    if contributor.lower().startswith("academic"):
        return "Academic"
    if contributor.lower().startswith("non-academic"):
        return "Non-academic"
    return "Not classified"


def _bloc(contributor: str, origin: str) -> str:
    detail = (
        contributor[contributor.find("(") + 1 : contributor.rfind(")")].strip().lower() if "(" in contributor else ""
    )
    if not contributor:
        return "Not classified"
    named = {
        "american big tech": "American Big Tech",
        "chinese big tech": "Chinese Big Tech",
        "chinese ai tiger": "Chinese AI Tigers",
        "ai tiger": "Chinese AI Tigers",
        "european big tech": "European Big Tech",
    }
    if detail in named:
        return named[detail]
    if detail == "big tech":  # the older spelling: American unless the file says China or Europe
        return {"China": "Chinese Big Tech"}.get(origin, "American Big Tech")
    return "Not Big Tech"


def count_from_files(folder: Path, latest: bool = False) -> dict[str, Counter]:
    """Per chart, the count of the folder's model files by their own tags. A file without a tag
    counts as what most files of its organisation say (none: not classified)."""
    files = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name == TEMPLATE:
            continue
        text = path.read_text(encoding="utf-8")
        if latest and not re.search(r"^\s+performanceclass:\s*latest\s*$", text, re.MULTILINE):
            continue
        files[path.name] = _file_tags(path)
    everyone = {p.name: _file_tags(p) for p in folder.glob("*.yaml") if p.name != TEMPLATE}

    def tag(name: str, kind: str) -> str:
        own = files[name].get(kind)
        if own:
            return own
        org = files[name]["org"]
        said = Counter(t[kind] for t in everyone.values() if t["org"] == org and t.get(kind))
        return said.most_common(1)[0][0] if said else ""

    counts = {"academic-share": Counter(), "big-tech-share": Counter(), "national-origins": Counter()}
    for name in files:
        origin, contributor = tag(name, "National origin"), tag(name, "Contributor type")
        counts["academic-share"][_sector(contributor)] += 1
        counts["big-tech-share"][_bloc(contributor, origin)] += 1
        counts["national-origins"][origin or "Unknown"] += 1
    return counts


def chart(key: str) -> dict[str, int]:
    return pie_counts(get_spec(key).compute())


# --- the current snapshot -------------------------------------------------------------------


def test_charts_on_the_current_snapshot_equal_a_count_of_the_files_own_tags(db, settings):
    settings.OSAI_CHARTS_TOP_ORIGINS = 1000  # name every country, so that each can be compared
    report = import_index(SHARED_DATABASE)
    assert report.skipped == [] or [s.file for s in report.skipped] == [TEMPLATE]
    for latest in (False, True):
        expected = count_from_files(SHARED_DATABASE, latest=latest)
        suffix = "-latest" if latest else ""
        for key, counted in expected.items():
            assert chart(key + suffix) == {label: n for label, n in counted.items() if n}, key + suffix
    # The collaboration of the current snapshot: BAAI's OmniGen is academic, its other files not.
    assert count_from_files(SHARED_DATABASE)["academic-share"]["Academic"] == chart("academic-share")["Academic"]


# --- the index of the article's day, from the history bundle --------------------------------


def _git(*args: str, cwd: Path | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True).stdout


@pytest.fixture(scope="module")
def article_snapshot(tmp_path_factory) -> Path:
    """The database folder as it stood at the end of 2025-06-09 (the last commit of that day)."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to read the history bundle")
    base = tmp_path_factory.mktemp("history")
    clone = base / "clone"
    _git("clone", "--quiet", "--no-checkout", str(HISTORY_BUNDLE.resolve()), str(clone))
    commit = _git("rev-list", "-1", f"--before={ARTICLE_DAY}T23:59:59+02:00", "HEAD", cwd=clone).decode().strip()
    assert commit, "the bundle has no commit on or before the article's day"
    folder = base / "snapshot"
    folder.mkdir()
    with tarfile.open(fileobj=io.BytesIO(_git("archive", "--format=tar", commit, cwd=clone))) as archive:
        archive.extractall(folder, filter="data")
    return folder


def test_the_article_figures_come_out_of_the_index_of_2025_06_09(db, article_snapshot):
    report = import_index(article_snapshot)
    assert [s.file for s in report.skipped] in ([], [TEMPLATE])

    academic, origins, big_tech = chart("academic-share"), chart("national-origins"), chart("big-tech-share")
    assert sum(academic.values()) == 141
    assert academic["Academic"] == 43
    assert (origins["United States"], origins["China"], origins["International"]) == (55, 44, 20)
    assert (big_tech["American Big Tech"], big_tech["Chinese Big Tech"], big_tech["Chinese AI Tigers"]) == (20, 7, 11)
    # The published pie's Chinese Big Tech (7 of 141) and the article's sum with the Tigers
    # (more than a quarter) come off the same chart.
    note = get_spec("big-tech-share").compute().note
    assert "Big Tech with the Chinese AI Tigers: 38 of 141 (27%)." in note

    latest_origins, latest_big_tech = chart("national-origins-latest"), chart("big-tech-share-latest")
    assert sum(latest_origins.values()) == 20
    assert (latest_origins["China"], latest_origins["United States"], latest_origins["International"]) == (8, 7, 3)
    assert (latest_big_tech["American Big Tech"], latest_big_tech["Chinese Big Tech"]) == (6, 2)

    # And every figure is what the files of that day say themselves.
    expected = count_from_files(article_snapshot)
    assert academic == {k: n for k, n in expected["academic-share"].items() if n}
    assert big_tech == {k: n for k, n in expected["big-tech-share"].items() if n}
