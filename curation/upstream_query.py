"""The upstream website's index query, in this site's filter names: ONE table for every reader.

The upstream site (osai-index.eu, `Language-Technology-Assessment/website`) filters its index
from a query object. It comes from the page address (`/database?type=text&performanceclass=latest`,
`components/content/the-index.vue` copies `route.query` into it) or from the front matter of a
`::the-index` block in a page (`filters: {view: grid, models: OLMo, deepseek-v3}`, with `version`
beside `filters`). `UPSTREAM_NAMES` lists every name it reads and what each means here, where
`curation.filters.AIModelFilter` is the index's filter set; `translate` applies the table.

Users of the table: the page importer and the `{% index %}` embed (curation.editorial), and
permanent redirects of old `/database` and `/the-index` links.

    >>> q = translate({"type": "text,image", "performanceclass": "latest", "trainingcode": [0.5, 1]})
    >>> q.filters
    {'type': ['text', 'image'], 'performance_class': ['latest'], 'grade_trainingcode': ['partial', 'open']}

Nothing is dropped in silence: a name the table does not know is listed in `unknown`, a known
name with a value it cannot read in `problems`, a name that changes nothing here (a display
option of the upstream page) in `ignored`, and a translation that is close to upstream's rule
but not identical in `notes`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q
from django.http import QueryDict
from django.utils.text import slugify

from curation import vocab
from curation.filters import GRADE_FILTER_PREFIX
from curation.models import ImportRun
from curation.registry import active_dimensions

DIMENSION_PLACEHOLDER = "<dimension ref>"
UPSTREAM_SOURCE = "Language-Technology-Assessment/website"
# What upstream's index shows when the page address has no query (the-index.vue's initial filters).
UPSTREAM_DEFAULT_QUERY = {"type": "text"}
# Upstream view names -> this site's ("bars" is upstream's list view).
VIEWS = {"bars": "table", "grid": "grid", "list": "table", "table": "table"}
# Upstream grade filter values (points, as the filter menu stores them) -> this site's grades.
POINTS_TO_GRADE = {points: grade for grade, points in vocab.GRADE_POINTS.items() if grade in vocab.ASSESSED_GRADES}
_COMMIT_ID = re.compile(r"^[0-9a-fA-F]{7,40}$")
_MONTH = re.compile(r"^\d{4}-\d{1,2}(-\d{1,2})?$")


@dataclass(frozen=True)
class UpstreamName:
    """One name of the upstream query and what it becomes here."""

    upstream: str
    ours: str
    values: str
    meaning: str
    source: str


UPSTREAM_NAMES: tuple[UpstreamName, ...] = (
    UpstreamName(
        "type",
        "type",
        "text, image, code, video, audio (comma-separated, any case); all",
        "Models of any of these types. `all` means no type filter.",
        "components/content/the-index.vue, utils/model-types.ts",
    ),
    UpstreamName(
        "performanceclass",
        "performance_class",
        "latest, full, limited (comma-separated)",
        "Models of any of these performance classes.",
        "components/content/the-index.vue, components/filter-menu.vue",
    ),
    UpstreamName(
        "basemodel",
        "base_model",
        "text",
        "Base model name contains the text (upstream reads it as a regular expression; here it is plain text).",
        "components/content/the-index.vue",
    ),
    UpstreamName(
        "q",
        "q",
        "text",
        "Search in model, organisation and base model names (upstream: a regular expression; here "
        "plain text, which also searches end model names).",
        "components/content/the-index.vue",
    ),
    UpstreamName(
        "release_start",
        "released_from",
        "YYYY-MM (or YYYY-MM-DD)",
        "Released in or after that month.",
        "components/release-date-selector.vue",
    ),
    UpstreamName(
        "release_end",
        "released_to",
        "YYYY-MM (or YYYY-MM-DD)",
        "Released in or before that month (upstream compares with the month's first day).",
        "components/release-date-selector.vue",
    ),
    UpstreamName(
        DIMENSION_PLACEHOLDER,
        f"{GRADE_FILTER_PREFIX}{DIMENSION_PLACEHOLDER}",
        "0, 0.5, 1 (a list, or comma-separated)",
        "Models graded closed (0), partial (0.5) or open (1) on that openness dimension. Upstream "
        "also keeps models with no grade on it; here only the chosen grades match.",
        "components/filter-menu.vue, components/content/the-index.vue",
    ),
    UpstreamName(
        "models",
        "models",
        "upstream file names without .yaml (a list, or comma-separated)",
        "Only these models, named by file (any case), slug or name.",
        "components/content/the-index.vue",
    ),
    UpstreamName(
        "view",
        "view",
        "bars, grid",
        "Layout: upstream's list (`bars`) is the table here, `grid` the grid of cards.",
        "components/filter-menu.vue",
    ),
    UpstreamName(
        "version",
        "as_of",
        "a database commit id, or a date YYYY-MM-DD",
        "The index as it stood then: a date, or the date of an imported data release with that commit id.",
        "components/content/the-index.vue (a prop beside `filters`)",
    ),
    UpstreamName(
        "hideFilters",
        "",
        "true, false",
        "Upstream hides its filter menu; embedded lists here never show one.",
        "components/content/the-index.vue (a prop beside `filters`)",
    ),
    UpstreamName(
        "size",
        "",
        "performanceclass, cat:<category>, <dimension ref>",
        "How upstream's model timeline sizes its dots; no equivalent here.",
        "components/model-timeline.vue",
    ),
)
_BY_NAME = {entry.upstream: entry for entry in UPSTREAM_NAMES if entry.upstream != DIMENSION_PLACEHOLDER}
# Embeds lower-case their parameter names (`hideFilters` arrives as `hidefilters`).
_BY_LOWER_NAME = {name.lower(): entry for name, entry in _BY_NAME.items()}


@dataclass
class UpstreamQuery:
    """An upstream query in this site's terms.

    `filters` maps AIModelFilter parameter names to lists of values; `view` is "table", "grid" or
    "" (not given); `model_terms` are upstream model names (file names, slugs or names); `as_of` is
    the date a `version` pins the list to.
    """

    filters: dict[str, list[str]] = field(default_factory=dict)
    view: str = ""
    model_terms: list[str] = field(default_factory=list)
    as_of: datetime.date | None = None
    unknown: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every name was known and every value readable."""
        return not self.unknown and not self.problems

    def messages(self) -> list[str]:
        """Everything a reader of an import report should know, one sentence each."""
        return [f"unknown upstream filter {item} (known: {known_names()})" for item in self.unknown] + self.problems

    def query_dict(self, *, include_view: bool = True) -> QueryDict:
        """The parameters of this site's index page (`/models/?...`), e.g. for a redirect."""
        data = QueryDict(mutable=True)
        for name, values in self.filters.items():
            data.setlist(name, values)
        if include_view and self.view == "grid":
            data["view"] = "grid"
        if self.as_of:
            data["as_of"] = self.as_of.isoformat()
        return data

    def embed_options(self) -> dict[str, str]:
        """The parameters of an `{% index %}` embed: multiple values comma-joined."""
        options = {name: ",".join(values) for name, values in self.filters.items()}
        if self.view:
            options["view"] = self.view
        if self.model_terms:
            options["models"] = ", ".join(self.model_terms)
        if self.as_of:
            options["as_of"] = self.as_of.isoformat()
        return options


def known_names() -> str:
    return ", ".join(entry.upstream for entry in UPSTREAM_NAMES)


def is_known_name(name: str, *, dimension_refs: Iterable[str] | None = None) -> bool:
    """True when `translate` reads the query name `name` (a name of the table or an openness
    dimension ref); other names (e.g. `utm_source` added by a newsletter) it lists as unknown."""
    refs = set(dimension_refs) if dimension_refs is not None else _active_dimension_refs()
    return name in _BY_NAME or str(name).lower() in _BY_LOWER_NAME or name in refs


def _values(raw: Any) -> list[str]:
    """Upstream values as a list of trimmed texts: YAML lists, comma-separated text, numbers."""
    if raw is None:
        return []
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    values: list[str] = []
    for item in items:
        if isinstance(item, bool):
            values.append("true" if item else "false")
        elif isinstance(item, (int, float)):
            values.append(repr(item) if isinstance(item, float) else str(item))
        elif isinstance(item, (datetime.date, datetime.datetime)):
            values.append(item.isoformat()[:10])
        elif item is not None:
            values += [part.strip() for part in str(item).split(",")]
    return [v for v in values if v]


def _choices(name: str, raw: Any, allowed: Iterable[str], result: UpstreamQuery, *, all_means_any=False) -> list[str]:
    allowed = list(allowed)
    chosen: list[str] = []
    for value in _values(raw):
        lowered = value.lower()
        if all_means_any and lowered == "all":
            return []
        if lowered in allowed:
            if lowered not in chosen:
                chosen.append(lowered)
        else:
            result.problems.append(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return chosen


def _grades(name: str, raw: Any, result: UpstreamQuery) -> list[str]:
    grades: list[str] = []
    for value in _values(raw):
        try:
            grade = POINTS_TO_GRADE.get(Fraction(value))
        except (ValueError, ZeroDivisionError):
            grade = None
        if grade is None:
            result.problems.append(f"{name}: {value!r} is not a grade value (0 closed, 0.5 partial, 1 open)")
        elif grade not in grades:
            grades.append(str(grade))
    return grades


def _month(name: str, raw: Any, result: UpstreamQuery) -> str:
    values = _values(raw)
    if len(values) != 1 or not _MONTH.match(values[0]):
        result.problems.append(f"{name}: {', '.join(values) or 'nothing'!r} is not a month (YYYY-MM)")
        return ""
    return values[0]


def translate(
    query: Mapping[str, Any],
    *,
    dimension_refs: Iterable[str] | None = None,
    resolve_version: Callable[[str], datetime.date | None] | None = None,
) -> UpstreamQuery:
    """Translate an upstream index query (a dict from YAML front matter, or a QueryDict of a
    page address) into this site's index parameters. Never raises for bad input: see
    UpstreamQuery's `unknown`, `problems`, `ignored` and `notes`.

    `dimension_refs` are the openness dimensions names may refer to (default: the active
    registry); `resolve_version` turns a database commit id into its date (default: the
    imported data releases, `version_date`).
    """
    result = UpstreamQuery()
    refs = set(dimension_refs) if dimension_refs is not None else _active_dimension_refs()
    resolve_version = resolve_version or version_date
    getlist = getattr(query, "getlist", None)
    for name in query:
        raw = getlist(name) if getlist else query[name]
        if isinstance(raw, list) and len(raw) == 1:
            raw = raw[0]
        entry = _BY_NAME.get(name) or _BY_LOWER_NAME.get(str(name).lower())
        if entry is None and name in refs:
            grades = _grades(name, raw, result)
            if grades:
                result.filters[f"{GRADE_FILTER_PREFIX}{name}"] = grades
            continue
        if entry is None:
            shown = ", ".join(_values(raw))
            result.unknown.append(f"{name}={shown}" if shown else name)
            continue
        name = entry.upstream
        if name == "type":
            chosen = _choices(name, raw, vocab.ModelType.values, result, all_means_any=True)
            if chosen:
                result.filters["type"] = chosen
        elif name == "performanceclass":
            chosen = _choices(name, raw, vocab.PerformanceClass.values, result)
            if chosen:
                result.filters["performance_class"] = chosen
        elif name in ("basemodel", "q"):
            text = ", ".join(_values(raw)) if isinstance(raw, (list, tuple)) else str(raw or "").strip()
            if text:
                result.filters[entry.ours] = [text]
                if re.search(r"[\\^$.|?*+()\[\]{}]", text):
                    result.notes.append(f"{name}: {text!r} is read as plain text, not as a regular expression")
        elif name in ("release_start", "release_end"):
            month = _month(name, raw, result)
            if month:
                result.filters[entry.ours] = [month]
        elif name == "models":
            result.model_terms += [t for t in _values(raw) if t not in result.model_terms]
        elif name == "view":
            values = _values(raw)
            view = VIEWS.get(values[0].lower()) if len(values) == 1 else None
            if view is None:
                result.problems.append(f"view: {', '.join(values) or 'nothing'!r} is not one of bars, grid")
            else:
                result.view = view
        elif name == "version":
            _version(raw, result, resolve_version)
        else:
            result.ignored.append(name)
    return result


def _version(raw: Any, result: UpstreamQuery, resolve_version) -> None:
    if isinstance(raw, datetime.datetime):
        result.as_of = raw.date()
        return
    if isinstance(raw, datetime.date):
        result.as_of = raw
        return
    text = str(raw or "").strip()
    try:
        result.as_of = datetime.date.fromisoformat(text)
        return
    except ValueError:
        pass
    if _COMMIT_ID.match(text):
        day = resolve_version(text)
        if day is not None:
            result.as_of = day
            return
        result.problems.append(
            f"version: no imported data release has the commit id {text!r}; give the date instead (YYYY-MM-DD)"
        )
        return
    result.problems.append(f"version: {text!r} is neither a date (YYYY-MM-DD) nor a commit id")


def version_date(commit_id: str) -> datetime.date | None:
    """The date of the imported data release whose commit id starts with `commit_id`, if any
    (import runs record the commit they read under `summary["commit"]`)."""
    commit_id = commit_id.lower()
    for run in ImportRun.objects.filter(summary__has_key="commit").only("summary", "started_at"):
        commit = run.summary.get("commit") or {}
        commit_hash = str(commit.get("id", "") if isinstance(commit, dict) else commit).lower()
        if commit_hash and commit_hash.startswith(commit_id):
            when = commit.get("date") if isinstance(commit, dict) else None
            try:
                return datetime.date.fromisoformat(str(when)[:10]) if when else run.started_at.date()
            except ValueError:
                return run.started_at.date()
    return None


def _active_dimension_refs() -> set[str]:
    return {d.ref for d in active_dimensions()}


# ---------------------------------------------------------------------------------------------
# Models as upstream names them
# ---------------------------------------------------------------------------------------------


def _name_matches(term: str) -> Q:
    term = term.strip()
    return (
        Q(upstream_filename__iexact=f"{term}.yaml")
        | Q(upstream_filename__iexact=f"{term}.yml")
        | Q(slug=slugify(term))
        | Q(name__iexact=term)
    )


def models_named(terms: Iterable[str], queryset):
    """The models of `queryset` that upstream-style names pick, as the upstream site picks them:
    by the model's file (`deepseek-v3` is `deepseek-v3.yaml`, any case), by this site's slug, or
    by the full name; never by a mere substring."""
    matches = Q(pk__in=[])
    for term in terms:
        matches |= _name_matches(term)
    return queryset.filter(matches)


def unmatched_names(terms: list[str], queryset) -> list[str]:
    """The terms that name no model of `queryset` (one query for all of them)."""
    if not terms:
        return []
    counts = queryset.aggregate(**{f"term_{i}": Count("pk", filter=_name_matches(t)) for i, t in enumerate(terms)})
    return [term for i, term in enumerate(terms) if not counts[f"term_{i}"]]


def is_named(model, term: str) -> bool:
    """`models_named` for one model object (e.g. a model rebuilt as it stood on a past date)."""
    term = term.strip()
    filename = (model.upstream_filename or "").lower()
    return (
        filename in (f"{term.lower()}.yaml", f"{term.lower()}.yml")
        or (bool(model.slug) and model.slug == slugify(term))
        or model.name.lower() == term.lower()
    )
