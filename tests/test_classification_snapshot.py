"""The charts on real snapshots of the upstream database, against the files' own tags: on the
current snapshot (../shared/data/main-database) every classification chart equals a count made
here, file by file, from the tag comments of the files themselves."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from curation.charts.catalogue import get_spec
from curation.interchange import import_index

from .charts_helpers import pie_counts
from .conftest import SHARED_DATABASE

TEMPLATE = "a_submission_template.yaml"

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
    detail = contributor[contributor.find("(") + 1:contributor.rfind(")")].strip().lower() if "(" in contributor else ""
    if not contributor:
        return "Not classified"
    named = {"american big tech": "American Big Tech", "chinese big tech": "Chinese Big Tech",
             "chinese ai tiger": "Chinese AI Tigers", "ai tiger": "Chinese AI Tigers",
             "european big tech": "European Big Tech"}
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
