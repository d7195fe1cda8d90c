"""What a chart says, independent of how it is drawn: slices or series of counted models.

`ChartData` is plain data; it knows its JSON document, its data table (the CSV and the table on
the /charts/ page), its alt text and a hash of its numbers. Rendering lives in
`curation.charts.render`, storage in `curation.charts.publish`.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field

from curation.csvsafe import formula_safe_writer

PIE = "pie"
STACKED_BARS = "stacked_bars"
GROUPED_BARS = "grouped_bars"
LINES = "lines"
# Each model a point: x its release ("YYYY-MM", or "YYYY" when only the year is known), value
# its total openness score in percent, label its name.
SCATTER = "scatter"


@dataclass(frozen=True)
class Slice:
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Point:
    x: str
    value: float
    # The model a scatter point stands for (empty for counts).
    label: str = ""


@dataclass(frozen=True)
class Series:
    label: str
    points: tuple[Point, ...]


def percent_of(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def slices_from_counts(counts: list[tuple[str, int]]) -> tuple[Slice, ...]:
    """Slices in the given order with their percentages; slices with no models are left out."""
    total = sum(count for _, count in counts)
    return tuple(Slice(label, count, percent_of(count, total)) for label, count in counts if count)


@dataclass(frozen=True)
class ChartData:
    key: str
    title: str
    subset: str
    kind: str
    total: int
    slices: tuple[Slice, ...] = ()
    series: tuple[Series, ...] = ()
    x_label: str = ""
    y_label: str = "Models"
    # Shown under the chart: how the numbers were counted.
    note: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_time_series(self) -> bool:
        return self.kind != PIE

    def numbers(self) -> dict:
        """The JSON document without the moment of publication."""
        doc = {"key": self.key, "title": self.title, "subset": self.subset, "total": self.total}
        if self.kind == SCATTER:
            doc["series"] = [
                {"label": s.label, "points": [{"x": p.x, "value": p.value, "label": p.label} for p in s.points]}
                for s in self.series
            ]
        elif self.is_time_series:
            doc["series"] = [
                {"label": s.label, "points": [{"x": p.x, "value": p.value} for p in s.points]} for s in self.series
            ]
        else:
            doc["slices"] = [{"label": s.label, "count": s.count, "percent": s.percent} for s in self.slices]
        if "coverage" in self.extra:  # how many models the figures stand for (adoption charts)
            doc["coverage"] = self.extra["coverage"]
        return doc

    def document(self, *, generated_at: str, data_version: int) -> dict:
        return {**self.numbers(), "generated_at": generated_at, "data_version": data_version}

    def hash(self, render_version: str) -> str:
        """Equal hash means an equal picture: numbers, labels, texts and the renderer's version."""
        payload = {
            "numbers": self.numbers(),
            "kind": self.kind,
            "x": self.x_label,
            "y": self.y_label,
            "note": self.note,
            "render": render_version,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    def x_values(self) -> list[str]:
        seen: dict[str, None] = {}
        for s in self.series:
            for p in s.points:
                seen.setdefault(p.x, None)
        return list(seen)

    def table(self) -> tuple[list[str], list[list]]:
        """Header and rows of the chart's data table (a scatter: one row per point)."""
        if self.kind == SCATTER:
            return scatter_table(self.numbers(), self.x_label, self.y_label)
        if not self.is_time_series:
            return ["Label", "Models", "Percent"], [[s.label, s.count, s.percent] for s in self.slices]
        xs = self.x_values()
        by_series = [{p.x: p.value for p in s.points} for s in self.series]
        header = [self.x_label or "x"] + [s.label for s in self.series]
        return header, [[x] + [values.get(x, 0) for values in by_series] for x in xs]

    def csv_text(self) -> str:
        header, rows = self.table()
        out = io.StringIO()
        writer = formula_safe_writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue()

    def alt_text(self) -> str:
        """A sentence that states the numbers, for readers who cannot see the picture."""
        coverage = f" {self.extra['coverage']['text']}" if "coverage" in self.extra else ""
        if not self.total:
            return f"{self.title}: no models to count.{coverage}"
        if not self.is_time_series:
            parts = "; ".join(f"{s.label} {s.count} ({_fmt(s.percent)}%)" for s in self.slices)
            return f"{self.title}, {self.total} models: {parts}."
        if self.kind == SCATTER:
            described = []
            for s in self.series:
                values = sorted(p.value for p in s.points)
                xs = sorted(p.x for p in s.points)
                median = (
                    values[len(values) // 2]
                    if len(values) % 2
                    else (values[len(values) // 2 - 1] + values[len(values) // 2]) / 2
                )
                described.append(
                    f"{s.label}: {len(values)} models released {xs[0]} to {xs[-1]}, openness "
                    f"{_fmt(values[0])}% to {_fmt(values[-1])}% (median {_fmt(round(float(median), 1))}%)"
                )
            return f"{self.title}, {self.total} models. " + ". ".join(described) + "."
        described = []
        for s in self.series:
            points = ", ".join(f"{p.x}: {_fmt(p.value)}" for p in s.points if p.value)
            described.append(f"{s.label}: {points or 'none'}")
        return f"{self.title}, {self.total} models. " + ". ".join(described) + "." + coverage


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def scatter_table(doc: dict, x_label: str, y_label: str) -> tuple[list[str], list[list]]:
    """A scatter's data table from its JSON document: one row per point, by x then name."""
    rows = [[p["label"], s["label"], p["x"], p["value"]] for s in doc.get("series", []) for p in s["points"]]
    rows.sort(key=lambda row: (row[2], row[0].lower(), row[1]))
    return ["Model", "Type", x_label or "x", y_label or "value"], rows
