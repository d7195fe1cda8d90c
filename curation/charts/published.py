"""Reading the published charts: their newest versions, as pages and the API show them.

The web process reads charts only through this module; drawing and storing them (matplotlib)
is curation.charts.publish's work, done by a worker or the regenerate_charts command.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from curation.charts import palette
from curation.charts.catalogue import ChartSpec, catalogue
from curation.charts.data import SCATTER, scatter_table
from curation.models import ChartVersion

log = logging.getLogger(__name__)

FORMATS = ("svg", "png", "csv", "json")
CONTENT_TYPES = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
STORAGE_DIR = "charts"


def current_versions(keys: Iterable[str] | None = None) -> dict[str, ChartVersion]:
    """The newest version of each chart, by key (one query).

    Newest by id, not by clock: runs are serialised, so ids follow publication order even when
    workers' clocks disagree.
    """
    newest = ChartVersion.objects.filter(key=OuterRef("key")).order_by("-id").values("pk")[:1]
    versions = ChartVersion.objects.filter(pk=Subquery(newest))
    if keys is not None:
        versions = versions.filter(key__in=list(keys))
    return {v.key: v for v in versions}


@dataclass(frozen=True)
class PublishedChart:
    key: str
    title: str
    alt_text: str
    svg_url: str
    png_url: str
    csv_url: str
    json_url: str
    data: dict
    generated_at: datetime.datetime
    note: str
    table_header: list
    table_rows: list
    data_hash: str
    # The palette's colour beside each header cell and each row of the data table ("" for none),
    # so that the table reads as the chart's key.
    header_swatches: list
    row_swatches: list


def _published(version: ChartVersion, spec: ChartSpec | None) -> PublishedChart:
    # Stable URLs with the content hash as a cache-busting query: the view serves it immutable.
    stamp = version.data_hash[:12]
    urls = {fmt: f"{reverse('curation:chart_file', args=[version.key, fmt])}?v={stamp}" for fmt in FORMATS}
    if spec is not None and spec.kind == SCATTER:
        header, rows = scatter_table(version.data, spec.x_label, spec.y_label)
    else:
        header, rows = _table_from_document(version.data, spec.x_label if spec else "")
    return PublishedChart(
        key=version.key,
        title=version.title,
        alt_text=version.alt_text,
        svg_url=urls["svg"],
        png_url=urls["png"],
        csv_url=urls["csv"],
        json_url=urls["json"],
        data=version.data,
        generated_at=version.generated_at,
        note=_note(spec, version.data),
        table_header=header,
        table_rows=rows,
        data_hash=version.data_hash,
        **_swatches(version.data, header, rows, spec),
    )


def _note(spec: ChartSpec | None, doc: dict) -> str:
    """The chart's note, with the coverage its figures stand for where it has one."""
    coverage = (doc.get("coverage") or {}).get("text", "")
    return f"{spec.note if spec else ''} {coverage}".strip()


def _swatches(doc: dict, header: list, rows: list, spec: ChartSpec | None) -> dict:
    """Colours of the table's categories: a pie's rows, a series chart's columns, a scatter's
    rows by their type (curation.charts.palette, as in the picture)."""
    if "slices" in doc:
        return {"header_swatches": [""] * len(header), "row_swatches": palette.colours_for([row[0] for row in rows])}
    labels = [s["label"] for s in doc.get("series", [])]
    colours = dict(zip(labels, palette.colours_for(labels), strict=True))
    if spec is not None and spec.kind == SCATTER:
        return {"header_swatches": [""] * len(header), "row_swatches": [colours.get(row[1], "") for row in rows]}
    return {
        "header_swatches": [colours.get(cell, "") if i else "" for i, cell in enumerate(header)],
        "row_swatches": [""] * len(rows),
    }


def _table_from_document(doc: dict, x_label: str = "") -> tuple[list, list]:
    if "slices" in doc:
        return ["Label", "Models", "Percent"], [[s["label"], s["count"], s["percent"]] for s in doc["slices"]]
    xs: dict[str, None] = {}
    for s in doc.get("series", []):
        for p in s["points"]:
            xs.setdefault(p["x"], None)
    values = [{p["x"]: p["value"] for p in s["points"]} for s in doc.get("series", [])]
    header = [x_label] + [s["label"] for s in doc.get("series", [])]
    return header, [[x] + [v.get(x, 0) for v in values] for x in xs]


def get_chart(key: str) -> PublishedChart | None:
    """The newest published version of a chart, or None (unknown key, or never generated)."""
    spec = catalogue().get(key)
    if spec is None:
        return None
    version = current_versions([key]).get(key)
    return _published(version, spec) if version else None


def published_charts() -> list[tuple[ChartSpec, PublishedChart | None]]:
    """Every chart of the catalogue with its newest version (None if not generated yet)."""
    specs = catalogue()
    versions = current_versions(specs)
    return [(spec, _published(versions[key], spec) if key in versions else None) for key, spec in specs.items()]


def open_chart_file(key: str, fmt: str):
    """(version, open file) of a chart's newest version in a format; None if there is none."""
    if fmt not in FORMATS or key not in catalogue():
        return None
    version = current_versions([key]).get(key)
    if version is None:
        return None
    try:
        return version, default_storage.open(version.file_name(fmt), "rb")
    except FileNotFoundError:
        log.error("chart file %s of %s is missing; the nightly check re-renders it", version.file_name(fmt), key)
        return None
