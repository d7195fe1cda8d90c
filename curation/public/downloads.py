"""The index as files: CSV and JSON of the (filtered) table, and the upstream YAML zip."""
from __future__ import annotations

import io
import json

from django.core.cache import cache

from curation.csvsafe import formula_safe_writer
from curation.datachanges import current_data_version
from curation.public.queries import Columns, build_rows
from curation.scoring import as_percent

# Rows are read in chunks so that a 10,000-model download keeps memory flat.
_CHUNK = 1000


def rows_of(qs, columns: Columns):
    """Table rows of a queryset of models, streamed in chunks so memory stays flat."""
    # Models stream from one query; grades are read per chunk of rows (two queries each).
    chunk = []
    for model in qs.iterator(chunk_size=_CHUNK):
        chunk.append(model)
        if len(chunk) == _CHUNK:
            yield from build_rows(chunk, columns)
            chunk = []
    yield from build_rows(chunk, columns)


def _points_text(points) -> str:
    if points is None:
        return ""  # the dimension does not apply to the model's types
    return f"{points:g}"


def csv_header(columns: Columns) -> list[str]:
    return ["Model name", "URL", "Total score"] + [d.name for d in columns.dimensions]


def index_csv(rows, columns: Columns) -> str:
    """Columns as upstream: model name, URL, total score (%), one score column per dimension.

    A dimension's score is its points (open 1, partial 0.5, closed and not assessed 0); it is
    empty where the dimension does not apply to the model's types.
    """
    out = io.StringIO()
    writer = formula_safe_writer(out)
    writer.writerow(csv_header(columns))
    for row in rows:
        writer.writerow(
            [row.model.name, row.model.link, row.total_percent] + [_points_text(c.points) for c in row.cells]
        )
    return out.getvalue()


def index_json(rows, columns: Columns, *, base_url: str = "") -> str:
    models = []
    for row in rows:
        model = row.model
        organisation = model.organisation
        models.append({
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
                c.ref: percent for c, percent in zip(columns.categories, row.category_percents)
            },
            "grades": {cell.dimension.ref: cell.grade for cell in row.cells},
        })
    return json.dumps({
        "dimensions": [
            {"ref": d.ref, "name": d.name, "category": d.category.ref} for d in columns.dimensions
        ],
        "count": len(models),
        "models": models,
    }, ensure_ascii=False, indent=1)


def export_zip_bytes() -> bytes:
    """The upstream YAML format as a zip (curation.interchange's exporter), cached per data version."""
    from curation.interchange.exporter import write_export_zip

    key = f"osai:export-zip:v{current_data_version()}"
    payload = cache.get(key)
    if payload is None:
        buffer = io.BytesIO()
        write_export_zip(buffer)
        payload = buffer.getvalue()
        cache.set(key, payload, 60 * 60)
    return payload
