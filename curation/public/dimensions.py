"""The openness dimensions for readers: the list, and one leaderboard per dimension.

`/dimensions/<ref>/` shows which public models are open, partial or closed on the dimension with
their evidence (curation.public.leaderboards), and the share of each grade over time as a stacked
bar chart drawn as SVG by the template (no drawing library in the web process), with the same
figures as a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render

from curation import vocab
from curation.public import leaderboards
from curation.public.caching import cache_public_page
from curation.public.queries import grade_legend, registry_columns

# The chart's drawing area in SVG user units (it scales to the page's width).
CHART_WIDTH, CHART_HEIGHT, CHART_TOP, CHART_BOTTOM, CHART_LEFT = 640, 260, 10, 220, 40


@dataclass(frozen=True)
class BarSegment:
    y: float
    height: float
    css: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    label_x: float
    day_label: str
    segments: tuple[BarSegment, ...]
    total: int
    in_registry: bool


def share_bars(points: list[leaderboards.SharePoint]) -> list[Bar]:
    """Stacked bars (open at the bottom) of the share of each grade per point, in SVG units."""
    legend = leaderboards.legend_by_grade()
    plot_height = CHART_BOTTOM - CHART_TOP
    slot = (CHART_WIDTH - CHART_LEFT) / max(1, len(points))
    bars = []
    for position, point in enumerate(points):
        x = CHART_LEFT + position * slot + slot * 0.15
        segments, bottom = [], float(CHART_BOTTOM)
        for grade in vocab.Grade:
            count = point.counts.get(grade.value, 0)
            if not count:
                continue
            height = plot_height * count / point.total
            bottom -= height
            label, _, css = legend[grade.value]
            segments.append(
                BarSegment(round(bottom, 2), round(height, 2), css, label, count, round(point.percent(grade.value), 1))
            )
        bars.append(
            Bar(
                round(x, 2),
                round(slot * 0.7, 2),
                round(x + slot * 0.35, 2),
                point.day.strftime("%Y-%m"),
                tuple(segments),
                point.total,
                point.in_registry,
            )
        )
    return bars


@cache_public_page
def dimension_index(request):
    """Every active dimension by category, linking to its leaderboard."""
    columns = registry_columns()
    latest = leaderboards.latest_shares()
    by_category = [
        (category, [(dimension, latest.get(dimension.ref)) for dimension in dimensions])
        for category, dimensions in columns.by_category
    ]
    return render(request, "curation/public/dimension_index.html", {"by_category": by_category})


@cache_public_page
def dimension_detail(request, ref):
    dimension = leaderboards.readable_dimension(ref)
    if dimension is None:
        raise Http404(f"No openness dimension is called “{ref}”.")
    points = leaderboards.dimension_share_history(dimension.ref)
    grades = [grade.value for grade in vocab.Grade if any(p.counts.get(grade.value) for p in points)]
    legend = leaderboards.legend_by_grade()
    return render(
        request,
        "curation/public/dimension_detail.html",
        {
            "dimension": dimension,
            "groups": leaderboards.dimension_leaderboard(dimension),
            "points": points,
            "share_rows": [(p, [(p.counts.get(g, 0), round(p.percent(g))) for g in grades]) for p in points],
            "share_grades": [legend[g] for g in grades],
            "bars": share_bars(points),
            "chart": {
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "top": CHART_TOP,
                "bottom": CHART_BOTTOM,
                "left": CHART_LEFT,
                "middle": (CHART_TOP + CHART_BOTTOM) / 2,
            },
            "grade_legend": grade_legend(),
        },
    )
