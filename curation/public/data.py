"""Reader views of the data package: /data/ (every download and its schema), the Frictionless
`datapackage.json`, a JSON Schema per table at a stable address, the tables only the package
offers (grades with evidence, organisations, vocabularies) and the codebook.

All go through the page cache; the schemas follow the dimension registry, so they are keyed by
data version like everything else.
"""

from __future__ import annotations

from fractions import Fraction

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from curation import vocab
from curation.datachanges import current_data_version
from curation.models import Dimension, DimensionCategory
from curation.public import datapackage, queries
from curation.public.caching import cache_public_page
from curation.public.release_files import RELEASE_FILES, file_response
from curation.releases import UnknownRelease, published_releases, release_by_slug
from curation.scoring import DimensionSpec, as_percent, compute_scores

JSON_TYPE = "application/json"
SCHEMA_TYPE = "application/schema+json"


def _absolute(request):
    return lambda path: request.build_absolute_uri(path)


def _json(document, content_type=JSON_TYPE) -> HttpResponse:
    response = HttpResponse(datapackage.dumps(document), content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_public_page
def data_index(request):
    """The data page: every download with its schema, the package descriptor, releases and codebook."""
    columns = queries.registry_columns()
    tables = datapackage.csv_tables(columns)
    downloads = [
        {
            "name": t.name,
            "title": t.title,
            "description": t.description,
            "path": t.path,
            "format": "CSV",
            "schema": datapackage.site_path("table_schema", t.name),
        }
        for t in tables
    ]
    downloads.insert(
        2,
        {
            "name": "models-json",
            "title": "The index as JSON",
            "format": "JSON",
            "path": datapackage.site_path("models_json"),
            "description": "Every model with its details, scores and grades.",
            "schema": datapackage.site_path("table_schema", "models-json"),
        },
    )
    return render(
        request,
        "curation/public/data_index.html",
        {
            "downloads": downloads,
            "release_files": RELEASE_FILES,
            "latest_release": published_releases().first(),
        },
    )


@require_safe
@cache_public_page
def datapackage_json(request):
    """The Frictionless Data Package descriptor of today's index."""
    columns = queries.registry_columns()
    return _json(
        datapackage.datapackage(columns, absolute=_absolute(request), version=f"data version {current_data_version()}")
    )


@require_safe
@cache_public_page
def table_schema(request, name):
    """The JSON Schema of table `name` (/data/schemas/<name>.json)."""
    schema = datapackage.schema_for(name, queries.registry_columns(), request.build_absolute_uri())
    if schema is None:
        raise Http404(f"No table is called “{name}”: see /data/ for the tables.")
    return _json(schema, SCHEMA_TYPE)


def _release_table(request, filename: str) -> HttpResponse | None:
    """With `?release=<slug>`: the release's frozen copy of the table (404 when the release is
    unknown or has none); None without the parameter."""
    slug = request.GET.get("release")
    if not slug:
        return None
    try:
        release = release_by_slug(slug)
    except UnknownRelease as exc:
        raise Http404(str(exc)) from None
    response = file_response(release, filename)
    if response is None:
        raise Http404(f"The release “{release.name}” has no frozen {filename}.")
    return response


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
@cache_public_page(params=("release",))
def grades_csv(request):
    return _release_table(request, "grades.csv") or _csv(
        datapackage.grades_csv(queries.registry_columns()), "grades.csv"
    )


@require_safe
@cache_public_page(params=("release",))
def organisations_csv(request):
    return _release_table(request, "organisations.csv") or _csv(datapackage.organisations_csv(), "organisations.csv")


@require_safe
@cache_public_page(params=("release",))
def vocabularies_csv(request):
    return _release_table(request, "vocabularies.csv") or _csv(datapackage.vocabularies_csv(), "vocabularies.csv")


def _worked_example(dimensions: list[Dimension]) -> dict | None:
    """A text model graded open, partial, closed in turn on the dimensions, scored by the
    index's own formula (curation.scoring.compute_scores)."""
    specs = [DimensionSpec(d.ref, d.category.ref, frozenset(d.applicable_type_list), d.is_active) for d in dimensions]
    cycle = [vocab.Grade.OPEN, vocab.Grade.PARTIAL, vocab.Grade.CLOSED]
    grades = {spec.ref: cycle[i % 3].value for i, spec in enumerate(specs)}
    if not specs:
        return None
    scores = compute_scores(specs, [vocab.ModelType.TEXT], grades)
    return {
        "grades": [(d, vocab.Grade(grades[d.ref]).label) for d in dimensions],
        "total": as_percent(scores.total),
        "total_fraction": scores.total,
        "categories": [
            (c, as_percent(scores.categories.get(c.ref)))
            for c in DimensionCategory.objects.filter(ref__in=scores.categories)
        ],
    }


@require_safe
@cache_public_page
def codebook(request):
    """Each dimension with its criteria, the score formula and the vocabularies."""
    columns = queries.registry_columns()
    dimensions = list(Dimension.objects.filter(is_active=True).select_related("category"))
    return render(
        request,
        "curation/public/codebook.html",
        {
            "categories": [(c, [d for d in dimensions if d.category_id == c.pk]) for c in columns.categories],
            "points": [(vocab.Grade(g).label, g, float(p), str(Fraction(p))) for g, p in vocab.GRADE_POINTS.items()],
            "vocabularies": [(name, choices.choices) for name, choices in datapackage.VOCABULARIES.items()],
            "example": _worked_example(dimensions),
            "model_types": vocab.ModelType.choices,
        },
    )
