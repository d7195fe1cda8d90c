"""Read-side services of the public site: what readers see, in a fixed number of queries.

Views call these functions and only shape the results into responses. Everything here starts
from `AIModel.objects.public()` / `Organisation.objects.public()`, so drafts never leak; a model's
page and comparisons also open models withdrawn from the index (`AIModel.objects.readable()`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count
from django_countries import countries

from curation import vocab
from curation.assessments import category_scores_by_model, grades_by_model
from curation.filters import AIModelFilter, annotate_organisation_aggregates
from curation.history import ReviewedEvidence, last_reviewed_on, public_changelog, reviewed_evidence, score_history
from curation.models import (
    AIModel,
    Assessment,
    Dimension,
    DimensionCategory,
    HistoryEntry,
    ImportRun,
    Organisation,
    Post,
    PostKind,
    RegistryVersion,
)
from curation.registry import active_dimensions, dimension_spec
from curation.scoring import DimensionSpec, applies, as_percent, grade_points
from curation.upstream_query import models_named

# ---------------------------------------------------------------------------------------------
# The registry as the table's columns
# ---------------------------------------------------------------------------------------------


@dataclass
class Columns:
    """The active dimensions in registry order, grouped by category (one query to build)."""

    dimensions: list[Dimension]
    categories: list[DimensionCategory]
    historical: bool = False  # a past registry version's columns (see curation.public.as_of.columns_on)

    @property
    def by_category(self) -> list[tuple[DimensionCategory, list[Dimension]]]:
        return [(c, [d for d in self.dimensions if d.category_id == c.pk]) for c in self.categories]

    def spec(self, dimension: Dimension) -> DimensionSpec:
        return dimension_spec(dimension)


def registry_columns() -> Columns:
    dimensions = active_dimensions()
    categories: list[DimensionCategory] = []
    for dimension in dimensions:
        if all(c.pk != dimension.category_id for c in categories):
            categories.append(dimension.category)
    return Columns(dimensions=dimensions, categories=categories)


# ---------------------------------------------------------------------------------------------
# The index
# ---------------------------------------------------------------------------------------------


def index_queryset(base=None):
    """Public models with their organisation joined, in the upstream index order.

    Grades and category scores are not prefetched as model instances: `build_rows` reads them
    as plain values for exactly the rows shown (two queries per page, whatever its size), which
    costs a fraction of building hundreds of Assessment objects per page.
    """
    base = base if base is not None else AIModel.objects.all()
    return base.public().select_related("organisation").index_order()


def filtered_index(data, *, columns: Columns | None = None, base=None) -> tuple[AIModelFilter, object]:
    """The index narrowed and ordered by reader parameters (a QueryDict), via the shared FilterSet."""
    columns = columns or registry_columns()
    filterset = AIModelFilter(data, index_queryset(base), dimensions=columns.dimensions)
    return filterset, filterset.qs


def page_keys(page_models) -> list[tuple[int, int | None]]:
    """(model id, Hugging Face downloads or None) of each model of `page_models`, a page (slice)
    of `filtered_index`'s rows, in its order: one query reading two columns, for a caller that
    keeps the rows' rendering and needs the models themselves only for rows it lacks
    (`index_models`)."""
    return list(page_models.values_list("pk", "hf_downloads"))


def index_models(ids: Sequence[int]) -> list[AIModel]:
    """The models with these ids, their organisation joined as `index_queryset` does, in the
    order of `ids` (ids of models no longer public are left out). One query."""
    found = index_queryset().in_bulk(list(ids))
    return [found[pk] for pk in ids if pk in found]


def dimension_refs_ever() -> list[str]:
    """The refs of every dimension the site knows (what `grade_<ref>` may name, on today's index
    or `?as_of=` a past date): the registry's, active ones first in registry order, then those
    only past registry versions name, by ref."""
    refs = list(
        Dimension.objects.order_by("-is_active", "category__position", "position", "pk").values_list("ref", flat=True)
    )
    known = set(refs)
    past: set[str] = set()
    for dimensions in RegistryVersion.objects.values_list("dimensions", flat=True):
        past.update(str(item["ref"]) for item in dimensions or () if isinstance(item, dict) and item.get("ref"))
    return refs + sorted(past - known)


# How many organisations the index's organisation field suggests (the largest, by public models):
# the field takes any organisation's name or slug, so the page need not list all of them.
ORGANISATION_SUGGESTIONS = 40


def index_filter_options() -> dict[str, list[tuple[str, str]]]:
    """What the index's filter form offers, as (value, name) pairs: `organisation`, the
    ORGANISATION_SUGGESTIONS public organisations with the most public models (most first, then
    by name), suggested for a field that accepts any organisation's name or slug; `country`, the
    countries of the public organisations that have public models, by name. Three queries; the
    counts and the organisations with models are read from the `aimodel_public_by_org` index."""
    # Of a public organisation, the public models are those published (AIModelQuerySet.public).
    published = AIModel.objects.filter(is_public=True, organisation__isnull=False).exclude(
        organisation__in=Organisation.objects.filter(is_public=False)
    )
    largest = dict(
        published.order_by()
        .values("organisation_id")
        .annotate(public_models=Count("pk"))
        .order_by("-public_models", "organisation_id")
        .values_list("organisation_id", "public_models")[:ORGANISATION_SUGGESTIONS]
    )
    named = Organisation.objects.filter(pk__in=list(largest)).values_list("pk", "slug", "name")
    organisations = sorted(named, key=lambda row: (-largest[row[0]], row[2].lower(), row[0]))
    codes = (
        Organisation.objects.public()
        .exclude(country="")
        .filter(pk__in=AIModel.objects.filter(is_public=True).values("organisation_id"))
        .order_by()
        .values_list("country", flat=True)
        .distinct()
    )
    names = dict(countries)
    return {
        "organisation": [(slug, name) for _pk, slug, name in organisations],
        "country": sorted(((code, names.get(code, code)) for code in set(codes)), key=lambda pair: pair[1]),
    }


_GRADE_LABELS = {grade.value: str(grade.label) for grade in vocab.Grade}
_GRADE_CSS = {grade.value: f"grade-{grade.value.replace('_', '-')}" for grade in vocab.Grade}
_GRADE_POINTS = {grade.value: float(grade_points(grade)) for grade in vocab.Grade}


def grade_legend() -> list[tuple[str, str, str]]:
    """(label, symbol, css class) per grade, in vocabulary order: the key to the grade cells."""
    return [(_GRADE_LABELS[g.value], vocab.GRADE_SYMBOLS[g], _GRADE_CSS[g.value]) for g in vocab.Grade]


class GradeCell:
    """One dimension of one model as a reader sees it: grade, label, symbol and colour class.

    `grade` is None when the dimension does not apply to the model's types. Display values are
    worked out once here (a page has hundreds of cells), from the vocabularies.
    """

    __slots__ = ("assessment", "css", "dimension", "grade", "label", "links", "notes", "points", "reviewed", "symbol")

    def __init__(
        self,
        dimension: Dimension,
        grade: str | None,
        assessment: Assessment | None = None,
        *,
        links=(),
        notes: str = "",
        reviewed: ReviewedEvidence | None = None,
    ):
        self.dimension = dimension
        self.grade = grade
        self.assessment = assessment
        # Evidence: the grade's own links and notes, and the link of the approved change that set it.
        links = assessment.links if assessment is not None else links
        self.links = [links] if isinstance(links, str) and links else [link for link in (links or []) if link]
        self.notes = assessment.notes if assessment is not None else notes
        self.reviewed = reviewed if reviewed is not None and reviewed.link not in self.links else None
        if grade is None:
            self.label, self.symbol, self.css, self.points = "Not applicable", "", "grade-na", None
        else:
            self.label = _GRADE_LABELS.get(grade, grade)
            self.symbol = vocab.GRADE_SYMBOLS.get(grade, "")
            self.css = _GRADE_CSS.get(grade, "grade-na")
            self.points = _GRADE_POINTS.get(grade, 0.0)

    @property
    def applicable(self) -> bool:
        return self.grade is not None

    @property
    def has_evidence(self) -> bool:
        return bool(self.links or self.notes or self.reviewed)


@dataclass
class IndexRow:
    """One model's row of the index: its grade cells and category scores (fractions 0-1, None
    where no dimension of the category applies). `model` is an AIModel, or for downloads a
    `curation.public.downloads.PlainModel` holding the same fields as plain values."""

    model: AIModel
    cells: list[GradeCell]
    category_scores: list[float | None]

    @property
    def total_percent(self) -> int:
        return as_percent(self.model.total_score)

    @property
    def category_percents(self) -> list[int | None]:
        return [None if s is None else as_percent(s) for s in self.category_scores]


def build_rows(
    models: Iterable[AIModel],
    columns: Columns,
    *,
    assessments: dict | None = None,
    evidence: bool = False,
    category_scores: dict | None = None,
    reviewed: dict | None = None,
) -> list[IndexRow]:
    """Table rows for the given models: two queries (grades, category scores) for all of them.

    `assessments` ({model id: {dimension id: Assessment}}) may be passed by a caller that
    already holds full Assessment objects with evidence (the model page, or unsaved ones of a
    past moment). With `evidence`, each cell also carries its links and notes and the evidence
    of the approved change that set it (one more query). A caller showing a past moment
    (curation.public.pinned) passes that moment's `category_scores` ({model id: {category id:
    fraction 0-1 or None}}) and `reviewed` evidence ({(model id, dimension ref):
    ReviewedEvidence}) instead of today's stored ones.
    """
    models = list(models)
    ids = [m.pk for m in models]
    details: dict[int, dict[int, tuple]] = {}
    if assessments is not None:
        grades = {pk: {d: a.grade for d, a in assessments.get(pk, {}).items()} for pk in ids}
    elif evidence:
        details = grades_by_model(ids, evidence=True)
        grades = {pk: {d: values[0] for d, values in found.items()} for pk, found in details.items()}
    else:
        grades = grades_by_model(ids)
    if reviewed is None:
        reviewed = reviewed_evidence(ids) if evidence or assessments is not None else {}
    by_category = category_scores if category_scores is not None else category_scores_by_model(ids)

    specs = [columns.spec(d) for d in columns.dimensions]
    applicable: dict[str, list[bool]] = {}  # worked out once per combination of types
    rows = []
    for model in models:
        model_grades = grades[model.pk]
        full = (assessments or {}).get(model.pk, {})
        which = applicable.get(model.types)
        if which is None:
            which = applicable[model.types] = [applies(spec, model.type_list) for spec in specs]
        model_details = details.get(model.pk, {})
        cells = [
            GradeCell(
                dimension,
                model_grades.get(dimension.pk, vocab.Grade.NOT_ASSESSED) if applies_here else None,
                assessment=full.get(dimension.pk),
                links=model_details.get(dimension.pk, ("", [], ""))[1],
                notes=model_details.get(dimension.pk, ("", [], ""))[2],
                reviewed=reviewed.get((model.pk, dimension.ref)),
            )
            for dimension, applies_here in zip(columns.dimensions, which, strict=True)
        ]
        rows.append(IndexRow(model, cells, [by_category[model.pk].get(c.pk) for c in columns.categories]))
    return rows


# ---------------------------------------------------------------------------------------------
# One model, one organisation, comparisons
# ---------------------------------------------------------------------------------------------


def readable_model(slug: str) -> AIModel | None:
    """The model whose page `/models/<slug>/` shows: a public one, or one withdrawn from the index
    (its page keeps answering, with a notice; `model.is_withdrawn` tells them apart)."""
    return AIModel.objects.readable().select_related("organisation").filter(slug=slug).first()


def model_cells(
    model: AIModel, columns: Columns, row: IndexRow | None = None
) -> list[tuple[DimensionCategory, int | None, list[GradeCell]]]:
    """A model's full assessments (with evidence), grouped by category in registry order; the
    cells of `row` when given (a past moment's row, curation.public.pinned)."""
    if row is None:
        full = {a.dimension_id: a for a in Assessment.objects.filter(ai_model=model)}
        row = build_rows([model], columns, assessments={model.pk: full})[0]
    grouped = []
    for position, (category, dimensions) in enumerate(columns.by_category):
        refs = {d.pk for d in dimensions}
        grouped.append((category, row.category_percents[position], [c for c in row.cells if c.dimension.pk in refs]))
    return grouped


def evidence_coverage(grouped) -> tuple[int, int]:
    """(dimensions with evidence, dimensions that apply) of `model_cells`' groups: evidence is an
    assessment's links or the link of its approved change."""
    cells = [cell for _, _, group in grouped for cell in group if cell.applicable]
    return sum(1 for cell in cells if cell.links or cell.reviewed), len(cells)


def related_models(model: AIModel, limit: int = 12) -> dict[str, list[AIModel]]:
    """Public models sharing the base model, and other public models of the same organisation."""
    result: dict[str, list[AIModel]] = {"same_base": [], "same_organisation": []}
    base = AIModel.objects.public().exclude(pk=model.pk).select_related("organisation").index_order()
    if model.base_model_name:
        result["same_base"] = list(base.filter(base_model_name__iexact=model.base_model_name)[:limit])
    if model.organisation_id:
        result["same_organisation"] = list(base.filter(organisation_id=model.organisation_id)[:limit])
    return result


def compare_slugs(terms: Sequence[str]) -> tuple[list[str], list[str]]:
    """The slugs of the models that `terms` name, in the order given and without repeats, and the
    terms that name none. A term is a slug, an upstream file name or a model name, in any case
    (as upstream's `/compare?models=` and the compare form's name list give them). Models
    withdrawn from the index are found too (old links keep working); where a name is shared,
    the public model wins."""
    readable = AIModel.objects.readable()
    by_slug = set(readable.filter(slug__in=list(terms)).values_list("slug", flat=True))
    slugs: list[str] = []
    missing: list[str] = []
    for term in terms:
        slug = (
            term
            if term in by_slug
            else (models_named([term], readable).order_by("-is_public", "pk").values_list("slug", flat=True).first())
        )
        if slug is None:
            missing.append(term)
        elif slug not in slugs:
            slugs.append(slug)
    return slugs, missing


# How many model names the compare fields suggest (a <datalist>): the fields take any model's
# name, file name or slug, so a page lists a few likely ones, not the whole index.
COMPARE_SUGGESTIONS = 30
# How many models a name that names none may have been meant for (the compare page lists them).
NAME_CANDIDATES = 8


def compare_choices(limit: int = COMPARE_SUGGESTIONS) -> list[tuple[str, str]]:
    """(model name, organisation name) of the `limit` public models first in the index (highest
    openness first): the compare form's suggestions. One query reading a few rows of the
    index's own order, whatever the size of the index."""
    return [
        (model.name, model.organisation.name if model.organisation else "")
        for model in index_queryset().only("name", "organisation__name")[:limit]
    ]


def compare_choices_for(model: AIModel, related: dict[str, list[AIModel]], common: Sequence[tuple[str, str]]):
    """The compare suggestions of one model's page: the models `related_models` found for it
    (same base model, same organisation), then the `common` ones (compare_choices), without
    the model itself or repeats, at most COMPARE_SUGGESTIONS; as (model name, organisation name)."""
    choices: list[tuple[str, str]] = []
    seen = {model.name}
    for other in related["same_base"] + related["same_organisation"]:
        if other.name not in seen:
            seen.add(other.name)
            choices.append((other.name, other.organisation.name if other.organisation else ""))
    for name, organisation in common:
        if name not in seen:
            seen.add(name)
            choices.append((name, organisation))
    return choices[:COMPARE_SUGGESTIONS]


def name_candidates(term: str, limit: int = NAME_CANDIDATES) -> list[AIModel]:
    """Public models whose name contains `term` (any case), first in the index first, at most
    `limit`: what a compare field's text that names no model may have meant."""
    term = term.strip()
    if not term:
        return []
    return list(index_queryset().filter(name__icontains=term)[:limit])


def compare_models(slugs: Sequence[str], columns: Columns) -> tuple[list[IndexRow], list[str]]:
    """Rows for the given slugs, in the order asked, with every grade's evidence; plus the slugs
    that name no model readers may open. A model withdrawn from the index keeps its last grades
    (`row.model.is_withdrawn`)."""
    readable = AIModel.objects.readable().select_related("organisation")
    found = {m.slug: m for m in readable.filter(slug__in=list(slugs))}
    missing = [s for s in slugs if s not in found]
    rows = build_rows([found[s] for s in slugs if s in found], columns, evidence=True)
    return rows, missing


def public_organisations():
    """Published organisations with their number of public models and mean score (as the API lists them)."""
    return annotate_organisation_aggregates(Organisation.objects.public())


def public_organisation(slug: str) -> Organisation | None:
    return public_organisations().filter(slug=slug).first()


def organisation_models(organisation: Organisation):
    return index_queryset().filter(organisation=organisation)


# ---------------------------------------------------------------------------------------------
# Headline numbers for the home page
# ---------------------------------------------------------------------------------------------


def category_means(rows: Sequence[IndexRow], columns: Columns) -> list[tuple[DimensionCategory, int | None]]:
    """Mean per-category openness over some rows (e.g. one organisation's models)."""
    means = []
    for position, category in enumerate(columns.categories):
        values = [score for r in rows if (score := r.category_scores[position]) is not None]
        means.append((category, as_percent(sum(values) / len(values)) if values else None))
    return means


# ---------------------------------------------------------------------------------------------
# Editorial, review and chart content shown on public pages
# ---------------------------------------------------------------------------------------------


def latest_posts(limit: int = 3) -> list:
    """The newest published news posts (curation.editorial), newest first."""
    return list(Post.objects.public().filter(kind=PostKind.NEWS).newest_first()[:limit])


def model_changelog(model: AIModel) -> list:
    """Applied changes of this model readers may see (from curation.history), newest first."""
    return public_changelog(model)


def index_last_updated():
    """When the index data readers see last changed (an applied change or an import), or None."""
    moments = [
        HistoryEntry.objects.order_by("-applied_at").values_list("applied_at", flat=True).first(),
        ImportRun.objects.order_by("-started_at").values_list("started_at", flat=True).first(),
    ]
    known = [moment for moment in moments if moment]
    return max(known) if known else None


def first_recorded_day():
    """The day the first model still known to the site was added (where past versions begin)."""
    first_model = AIModel.objects.order_by("created_at").values_list("created_at", flat=True).first()
    first_entry = HistoryEntry.objects.order_by("applied_at").values_list("applied_at", flat=True).first()
    known = [moment for moment in (first_model, first_entry) if moment]
    return min(known).date() if known else None


def model_score_history(model: AIModel, columns: Columns) -> list:
    """The model's openness over time (curation.history.score_history), oldest first."""
    return score_history(model, [columns.spec(d) for d in columns.dimensions])


def model_last_reviewed(model: AIModel):
    return last_reviewed_on(model)


# The charts shown on the home page, by catalogue key; unknown keys render a placeholder.
HOME_CHART_KEYS = ("academic-share", "big-tech-share", "national-origins")


def home_chart_keys() -> list[str]:
    return list(HOME_CHART_KEYS)
