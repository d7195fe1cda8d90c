"""The index as files: CSV and JSON of the (filtered) table, and the upstream YAML zip.

Downloads are built from plain rows: the models' columns as tuples (one query), their grades
and category scores gathered per model by the database (one grouped query each), and for the
cells one shared `GradeCell` per dimension and grade, whatever the number of models. Whether a
dimension applies is worked out once per combination of model types. So a download of 100,000
models costs three or four queries and no model or assessment objects. The page cache
(curation.public.caching) keeps each download per data version and address.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.cache import cache
from django.http import QueryDict

from curation import vocab
from curation.assessments import joined_pairs_by_model, split_pairs
from curation.csvsafe import formula_safe_writer
from curation.datachanges import cache_generation, current_data_version
from curation.interchange.exporter import write_export_zip
from curation.models import Assessment, CategoryScore
from curation.public import download_files as files
from curation.public.caching import code_stamp
from curation.public.queries import Columns, GradeCell, IndexRow, filtered_index, registry_columns
from curation.scoring import applies, as_percent, fixed4

# Rows stream from the database in chunks of this many.
_CHUNK = 2000


@dataclass(frozen=True)
class _Organisation:
    name: str
    slug: str


class PlainModel:
    """The columns of one model a download shows, read as a plain row (no model instance)."""

    __slots__ = (
        "base_model_name",
        "end_model_licence",
        "end_model_name",
        "hf_downloads",
        "hf_downloads_all_time",
        "hf_likes",
        "hf_read_on",
        "link",
        "name",
        "organisation",
        "performance_class",
        "pk",
        "release_display",
        "slug",
        "total_score",
        "types",
        "upstream_filename",
    )

    FIELDS = (
        "pk",
        "name",
        "slug",
        "link",
        "types",
        "performance_class",
        "total_score",
        "base_model_name",
        "end_model_name",
        "end_model_licence",
        "release_date",
        "release_date_precision",
        "organisation__name",
        "organisation__slug",
        "hf_downloads",
        "hf_downloads_all_time",
        "hf_likes",
        "hf_read_on",
        "upstream_filename",
    )

    def __init__(self, values: tuple):
        (
            self.pk,
            self.name,
            self.slug,
            self.link,
            self.types,
            self.performance_class,
            self.total_score,
            self.base_model_name,
            self.end_model_name,
            self.end_model_licence,
            release_date,
            precision,
            organisation_name,
            organisation_slug,
            self.hf_downloads,
            self.hf_downloads_all_time,
            self.hf_likes,
            self.hf_read_on,
            self.upstream_filename,
        ) = values
        self.release_display = vocab.release_label(release_date, precision)
        self.organisation = (
            _Organisation(organisation_name, organisation_slug) if organisation_slug is not None else None
        )

    @property
    def type_list(self) -> list[str]:
        return [t for t in self.types.split(",") if t]


def rows_of(qs, columns: Columns, *, categories: bool = True, adoption: bool = True) -> Iterable[IndexRow]:
    """Rows of a queryset of models (in its order) from plain values: 3 queries, or 2 without
    `categories` (the category scores), whatever the number of models. Without `adoption`, the
    Hugging Face figures are left out (None), as in a past index."""
    ids = qs.order_by().values("pk")
    grades = joined_pairs_by_model(Assessment.objects.filter(ai_model__in=ids), "dimension_id", "grade")
    scores = (
        joined_pairs_by_model(CategoryScore.objects.filter(ai_model__in=ids), "category_id", "score")
        if categories
        else {}
    )
    positions = {d.pk: i for i, d in enumerate(columns.dimensions)}
    category_positions = {c.pk: i for i, c in enumerate(columns.categories)}
    specs = [columns.spec(d) for d in columns.dimensions]
    shared_cells: dict[tuple[int, str | None], GradeCell] = {}
    applicable: dict[str, list[bool]] = {}
    not_assessed = vocab.Grade.NOT_ASSESSED.value
    for values in qs.values_list(*PlainModel.FIELDS).iterator(chunk_size=_CHUNK):
        model = PlainModel(values)
        if not adoption:
            model.hf_downloads = model.hf_downloads_all_time = model.hf_likes = model.hf_read_on = None
        which = applicable.get(model.types)
        if which is None:  # once per combination of types
            which = applicable[model.types] = [applies(spec, model.type_list) for spec in specs]
        row_grades = [not_assessed] * len(specs)
        for dimension_id, grade in split_pairs(grades.get(model.pk)):
            position = positions.get(dimension_id)
            if position is not None:
                row_grades[position] = grade
        cells = []
        for position, grade in enumerate(row_grades):
            key = (position, grade if which[position] else None)
            cell = shared_cells.get(key)
            if cell is None:
                cell = shared_cells[key] = GradeCell(columns.dimensions[position], key[1])
            cells.append(cell)
        row_scores: list[float | None] = [None] * len(columns.categories)
        for category_id, score in split_pairs(scores.get(model.pk)):
            position = category_positions.get(category_id)
            if position is not None:
                row_scores[position] = float(score)
        yield IndexRow(model, cells, row_scores)  # its model a PlainModel, not an AIModel


def _points_text(points) -> str:
    """A dimension's cell as upstream writes it: `1`, `0.5`, `0`; empty where it does not apply."""
    if points is None:
        return ""  # the dimension does not apply to the model's types
    return f"{points:g}"


def csv_header(columns: Columns) -> list[str]:
    """Upstream's header: `Model Name,URL,Total Score`, then the dimension names in registry order."""
    return ["Model Name", "URL", "Total Score"] + [d.name for d in columns.dimensions]


def _page(base_url: str, model) -> str:
    return f"{base_url}{model.slug}/" if base_url and model.slug else ""


# Rows written per chunk of a streamed CSV.
_ROWS_PER_CHUNK = 500


def iter_csv_text(header: list, rows: Iterable[list]) -> Iterator[str]:
    """Rows joined by LF with no final line end, as upstream's download, in chunks of text;
    cells quoted only where needed and formula-like text neutralised (curation.csvsafe)."""
    out = io.StringIO()
    writer = formula_safe_writer(out, lineterminator="\n")
    writer.writerow(header)
    pending = out.getvalue()[:-1]  # a chunk never ends with the line end: the last row has none
    out.seek(0)
    out.truncate()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
        if count % _ROWS_PER_CHUNK == 0:
            text = out.getvalue()
            out.seek(0)
            out.truncate()
            yield pending + "\n" + text[:-1]
            pending = ""
            continue
    text = out.getvalue()
    if text:
        yield pending + "\n" + text[:-1]
    elif pending:
        yield pending


def _csv_text(header: list, rows: Iterable[list]) -> str:
    return "".join(iter_csv_text(header, rows))


def index_csv(rows, columns: Columns, *, base_url: str = "") -> str:
    """The index as upstream's `models.csv`: model name, URL (this site's model page, from
    `base_url` + slug), total score as a fraction with 4 decimals (`0.7500`), then one cell per
    dimension in registry order: its points (`1`, `0.5`, `0`; closed, not assessed and
    unrecognised grades score 0), empty where the dimension does not apply to the model's types.
    """
    return "".join(iter_index_csv(rows, columns, base_url=base_url))


def iter_index_csv(rows, columns: Columns, *, base_url: str = "") -> Iterator[str]:
    """`index_csv` in chunks of text, for a streamed answer or a file."""
    return iter_csv_text(
        csv_header(columns),
        (
            [row.model.name, _page(base_url, row.model), fixed4(row.model.total_score)]
            + [_points_text(c.points) for c in row.cells]
            for row in rows
        ),
    )


def details_csv_header(columns: Columns) -> list[str]:
    return (
        [
            "Model Name",
            "URL",
            "Link",
            "Organisation",
            "Types",
            "Performance class",
            "Release",
            "Base model",
            "End model",
            "End model licence",
            "Total score (%)",
        ]
        + [f"{c.name} (%)" for c in columns.categories]
        + [d.name for d in columns.dimensions]
        + list(ADOPTION_HEADER)
    )


# Adoption at the latest Hugging Face reading (curation.adoption.figures), last in the details.
ADOPTION_HEADER = (
    "Hugging Face downloads (30 days)",
    "Hugging Face downloads (all time)",
    "Hugging Face likes",
    "Hugging Face read on",
)


def adoption_figures(model) -> dict:
    """A model's figures at the latest Hub reading (None where unknown; a model rebuilt for a
    past date has none)."""
    read_on = getattr(model, "hf_read_on", None)
    return {
        "downloads_30d": getattr(model, "hf_downloads", None),
        "downloads_all_time": getattr(model, "hf_downloads_all_time", None),
        "likes": getattr(model, "hf_likes", None),
        "read_on": read_on.isoformat() if read_on else None,
    }


def index_details_csv(rows, columns: Columns, *, base_url: str = "") -> str:
    """The richer table: the model's details, total and category scores as whole percentages
    (half up, as upstream shows them), and each dimension's grade in words ("Open",
    "Not assessed", "Unrecognised grade, under review"; empty where it does not apply), then the
    Hugging Face figures of the latest reading (empty where there is none)."""
    return "".join(iter_index_details_csv(rows, columns, base_url=base_url))


def iter_index_details_csv(rows, columns: Columns, *, base_url: str = "") -> Iterator[str]:
    """`index_details_csv` in chunks of text."""

    def line(row):
        model, organisation = row.model, row.model.organisation
        return (
            [
                model.name,
                _page(base_url, model),
                model.link,
                organisation.name if organisation else "",
                ",".join(model.type_list),
                model.performance_class,
                model.release_display,
                model.base_model_name,
                model.end_model_name,
                model.end_model_licence,
                row.total_percent,
            ]
            + ["" if p is None else p for p in row.category_percents]
            + ["" if c.grade is None else c.label for c in row.cells]
            + ["" if v is None else v for v in adoption_figures(model).values()]
        )

    return iter_csv_text(details_csv_header(columns), (line(row) for row in rows))


def _json_model(row, columns: Columns, base_url: str) -> dict:
    model = row.model
    organisation = model.organisation
    return {
        "name": model.name,
        "slug": model.slug,
        "page": f"{base_url}{model.slug}/" if base_url and model.slug else None,
        "link": model.link,
        "organisation": {"name": organisation.name, "slug": organisation.slug} if organisation else None,
        "types": model.type_list,
        "performance_class": model.performance_class or None,
        "base_model": model.base_model_name,
        "end_model": model.end_model_name,
        "end_model_licence": model.end_model_licence,
        "release_date": model.release_display or None,
        "total_score": as_percent(model.total_score),
        "category_scores": {
            c.ref: percent for c, percent in zip(columns.categories, row.category_percents, strict=True)
        },
        "grades": {cell.dimension.ref: cell.grade for cell in row.cells},
        "adoption": adoption_figures(model),
    }


def _dimensions_json(columns: Columns) -> list[dict]:
    return [{"ref": d.ref, "name": d.name, "category": d.category.ref} for d in columns.dimensions]


def index_json(rows, columns: Columns, *, base_url: str = "") -> str:
    """The index as JSON: `{"dimensions": [{ref, name, category}], "count": n, "models": [...]}`,
    each model with its details, total and category scores (whole percentages), grades by
    dimension ref and adoption figures; indented by one space."""
    models = [_json_model(row, columns, base_url) for row in rows]
    return json.dumps(
        {"dimensions": _dimensions_json(columns), "count": len(models), "models": models}, ensure_ascii=False, indent=1
    )


# A model's object as `index_json` lays it out: inside the list of models, two levels deep.
_MODEL_INDENT = "\n  "


def iter_index_json(rows, columns: Columns, count: int, *, base_url: str = "") -> Iterator[str]:
    """`index_json` in chunks of text, the same characters, for `count` rows (the document
    names its count before the models; `rows` must yield exactly that many)."""
    head = json.dumps(
        {"dimensions": _dimensions_json(columns), "count": count, "models": []}, ensure_ascii=False, indent=1
    )
    if count == 0:
        yield head
        return
    yield head[: -len("[]\n}")] + "["
    chunk: list[str] = []
    separator = "\n  "
    for row in rows:
        text = json.dumps(_json_model(row, columns, base_url), ensure_ascii=False, indent=1)
        chunk.append(separator + text.replace("\n", _MODEL_INDENT))
        separator = ",\n  "
        if len(chunk) >= _ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk) + "\n ]\n}"


def export_zip_bytes() -> bytes:
    """The upstream YAML format as a zip (curation.interchange's exporter), cached per data version
    and cache generation (versions repeat in a new or restored database)."""
    key = f"osai:export-zip:{cache_generation()}:v{current_data_version()}"
    payload = cache.get(key)
    if payload is None:
        payload = build_export_zip()
        cache.set(key, payload, 60 * 60)
    return payload


# ---------------------------------------------------------------------------------------------
# The whole index's downloads: streamed, and stored once per data version
# ---------------------------------------------------------------------------------------------


def _whole_index(categories: bool = True):
    """(rows, columns, queryset) of the whole public index in its default order, as plain rows."""
    columns = registry_columns()
    _filterset, qs = filtered_index(QueryDict(), columns=columns)
    return rows_of(qs, columns, categories=categories), columns, qs


def stream_rows(kind, rows, columns: Columns, *, base_url: str, count: Callable[[], int]) -> Iterator[str]:
    """The chunks of download `kind` (curation.public.download_files) of `rows`; `count()` is
    asked only by the JSON, which names its count first."""
    if kind is files.CSV:
        return iter_index_csv(rows, columns, base_url=base_url)
    if kind is files.DETAILS_CSV:
        return iter_index_details_csv(rows, columns, base_url=base_url)
    if kind is files.JSON:
        return iter_index_json(rows, columns, count(), base_url=base_url)
    raise ValueError(f"no rows make the download {kind.filename}")


def whole_index_chunks(kind, base_url: str) -> Iterator[str | bytes]:
    """The chunks of download `kind` of the whole public index (the YAML zip in one piece)."""
    if kind is files.EXPORT_ZIP:
        return iter([build_export_zip()])
    rows, columns, qs = _whole_index(categories=kind is not files.CSV)
    return stream_rows(kind, rows, columns, base_url=base_url, count=qs.count)


def write_current_files() -> list[str]:
    """Write the whole index's downloads for the current data version (for each site address
    readers fetched them from lately) unless they are there already; returns the names written.
    Run by the worker after a data change (curation.tasks)."""
    version = current_data_version()
    return files.write_versioned_files(
        code_stamp(),
        version,
        {kind: (lambda base, kind=kind: whole_index_chunks(kind, base)) for kind in files.KINDS},
        files.remembered_addresses(),
        current_data_version,
    )


def build_export_zip() -> bytes:
    """The upstream YAML format as a zip (curation.interchange's exporter), built now."""
    buffer = io.BytesIO()
    write_export_zip(buffer)
    return buffer.getvalue()
