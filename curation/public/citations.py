"""How to cite the index or one model's assessment: BibTeX, RIS and CSL-JSON.

A citation names what readers saw: the index's data version (`current_data_version()`, the
number that also keys cached pages) and the date its data last changed. The dataset's DOI
comes from the setting `OSAI_DATASET_DOI` and is left out of every format when it is empty.
The data are licensed CC-BY 4.0, which asks for exactly this attribution.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass

from django.utils import timezone

from curation.conf import app_settings
from curation.datachanges import current_data_version
from curation.models import AIModel, DataRelease
from curation.public import queries
from curation.public.caching import remembered_per_data_version

PUBLISHER = "European Open Source AI Index"
INDEX_TITLE = "European Open Source AI Index"
LICENCE = "CC-BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = ("bib", "ris", "json")
CONTENT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


@dataclass(frozen=True)
class Citation:
    """What a citation says, whatever its format. `url` is absolute; `doi` may be ""."""

    key: str
    title: str
    url: str
    date: datetime.date
    data_version: int
    doi: str
    release: str = ""  # the data release's name, when the citation is of one
    as_of: bool = False  # of a page pinned to the end of `date` (`?as_of=`), rebuilt from history

    @property
    def version(self) -> str:
        if self.as_of:
            return f"as of {self.date.isoformat()}, rebuilt at data version {self.data_version}"
        data = f"data version {self.data_version} of {self.date.isoformat()}"
        return f"release {self.release}, {data}" if self.release else data

    @property
    def note(self) -> str:
        licence = f"Data licensed {LICENCE} ({LICENCE_URL})."
        if self.as_of:
            return (
                f"As of {self.date.day} {self.date:%B %Y}, rebuilt from its history at data version "
                f"{self.data_version}. {licence}"
            )
        release = f"Release {self.release}, d" if self.release else "D"
        return f"{release}ata version {self.data_version}, {self.date.day} {self.date:%B %Y}. {licence}"


def dataset_doi() -> str:
    """The dataset's DOI (e.g. "10.5281/zenodo.15386042"), or "" when none is set."""
    return (app_settings.OSAI_DATASET_DOI or "").strip()


def _day(moment) -> datetime.date:
    if moment is None:
        return timezone.localdate()
    return timezone.localtime(moment).date() if isinstance(moment, datetime.datetime) else moment


def _key(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-").lower() for part in parts if part)


@remembered_per_data_version
def index_citation(url: str) -> Citation:
    """The citation of the whole index at `url` (its absolute address), as it stands now: worked
    out once per data version and cache generation in each process (every page of the index
    cites it)."""
    version = current_data_version()
    return Citation(
        key=_key("osai-index", f"v{version}"),
        title=INDEX_TITLE,
        url=url,
        date=_day(queries.index_last_updated()),
        data_version=version,
        doi=dataset_doi(),
    )


@remembered_per_data_version
def index_citation_texts(url: str) -> dict[str, str]:
    """{format: text} of `index_citation(url)` in every format (FORMATS), worked out once per
    data version and cache generation in each process, as the citation itself: every page of
    the index shows all three."""
    citation = index_citation(url)
    return {fmt: render(citation, fmt) for fmt in FORMATS}


def model_citation(
    model: AIModel,
    url: str,
    *,
    as_of: datetime.date | None = None,
    release: DataRelease | None = None,
) -> Citation:
    """The citation of one model's openness assessment at `url` (its page's absolute address),
    dated by the model's last change (an applied change, else when it was last written).

    Of its page pinned to a data `release` (`?release=`): that release's name, day and data
    version. Pinned to the end of a day `as_of` (`?as_of=`): that day, and the data version the
    page was rebuilt at. `url` is then the pinned address."""
    version = current_data_version()
    title = f"{model.name}: openness assessment in the {INDEX_TITLE}"
    if release is not None:
        return Citation(
            key=_key("osai-index", model.slug, "release", release.slug),
            title=title,
            url=url,
            date=_day(release.released_at),
            data_version=release.data_version,
            doi=dataset_doi(),
            release=release.name,
        )
    if as_of is not None:
        return Citation(
            key=_key("osai-index", model.slug, as_of.isoformat()),
            title=title,
            url=url,
            date=as_of,
            data_version=version,
            doi=dataset_doi(),
            as_of=True,
        )
    changelog = queries.model_changelog(model)
    last = changelog[0].applied_at if changelog else model.updated_at
    return Citation(
        key=_key("osai-index", model.slug, f"v{version}"),
        title=title,
        url=url,
        date=_day(last),
        data_version=version,
        doi=dataset_doi(),
    )


def release_citation(release: DataRelease, url: str) -> Citation:
    """The citation of a data release at `url` (its page's absolute address): its name, the
    day it was made and the data version it froze, which never change."""
    return Citation(
        key=_key("osai-index", "release", release.slug),
        title=f"{INDEX_TITLE}, release {release.name}",
        url=url,
        date=_day(release.released_at),
        data_version=release.data_version,
        doi=dataset_doi(),
        release=release.name,
    )


# --- formats -----------------------------------------------------------------------------------

_BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_~^])")
_BIBTEX_REPLACEMENTS = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bibtex_text(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_REPLACEMENTS.get(m.group(1), "\\" + m.group(1)), text)


def as_bibtex(citation: Citation) -> str:
    """A BibTeX @misc entry (biblatex reads its version, doi and url fields too)."""
    fields = [
        ("title", "{" + _bibtex_text(citation.title) + "}"),
        ("author", "{" + _bibtex_text(PUBLISHER) + "}"),
        ("publisher", _bibtex_text(PUBLISHER)),
        ("year", str(citation.date.year)),
        ("date", citation.date.isoformat()),
        ("version", _bibtex_text(citation.version)),
        ("url", citation.url),
        ("doi", citation.doi),
        ("note", _bibtex_text(citation.note)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{citation.key},\n{body}\n}}\n"


def as_ris(citation: Citation) -> str:
    """An RIS record of type DATA (dataset)."""
    lines = [
        ("TY", "DATA"),
        ("TI", citation.title),
        ("AU", PUBLISHER),
        ("PB", PUBLISHER),
        ("PY", str(citation.date.year)),
        ("DA", citation.date.strftime("%Y/%m/%d")),
        ("ET", citation.version),
        ("UR", citation.url),
        ("DO", citation.doi),
        ("N1", citation.note),
        ("ID", citation.key),
    ]
    text = "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value)
    return text + "ER  - \r\n"


def as_csl(citation: Citation) -> list[dict]:
    """A CSL-JSON item list (one item, type "dataset") as Zotero, pandoc and citeproc read it."""
    item = {
        "id": citation.key,
        "type": "dataset",
        "title": citation.title,
        "author": [{"literal": PUBLISHER}],
        "publisher": PUBLISHER,
        "issued": {"date-parts": [[citation.date.year, citation.date.month, citation.date.day]]},
        "version": citation.version,
        "URL": citation.url,
        "note": citation.note,
    }
    if citation.doi:
        item["DOI"] = citation.doi
    return [item]


def as_csl_json(citation: Citation) -> str:
    return json.dumps(as_csl(citation), ensure_ascii=False, indent=2) + "\n"


RENDERERS = {"bib": as_bibtex, "ris": as_ris, "json": as_csl_json}


def render(citation: Citation, fmt: str) -> str:
    """The citation in `fmt` ("bib", "ris" or "json"); KeyError naming the format otherwise."""
    try:
        return RENDERERS[fmt](citation)
    except KeyError:
        raise KeyError(f"no citation format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
