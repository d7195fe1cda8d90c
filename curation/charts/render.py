"""Drawing ChartData as SVG and PNG with matplotlib's Agg/SVG backends (no pyplot, no GUI).

Colours come from the one palette (curation.charts.palette): a category has the same colour in
every chart, text on a colour takes the ink that contrasts with it, and legends stand beside
the plotted data, never over it.

Output is deterministic (fixed SVG id salt, no timestamps in metadata), so equal data gives
byte-equal files and therefore equal content-hashed names.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from curation.charts import palette
from curation.charts.catalogue import HHI
from curation.charts.data import GROUPED_BARS, LINES, PIE, SCATTER, STACKED_BARS, ChartData

# Bump when the drawing changes, so that every chart is re-rendered once.
RENDER_VERSION = "4"

_RC = {
    "svg.hashsalt": "osai-index-charts",
    "svg.fonttype": "none",  # text stays text: searchable, selectable, smaller
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": palette.BACKGROUND,
    "axes.facecolor": palette.BACKGROUND,
    "text.color": palette.BLACK,
    "axes.labelcolor": palette.BLACK,
    "xtick.color": palette.BLACK,
    "ytick.color": palette.BLACK,
}


# Fixed margins rather than a layout engine: drawing twice as fast, and the same for every chart.
# The right-hand part of every figure holds the legend, beside the plotted data, never over it.
_AXES_BOX = {
    PIE: (0.02, 0.04, 0.5, 0.82),
    LINES: (0.12, 0.19, 0.47, 0.69),
    STACKED_BARS: (0.08, 0.19, 0.62, 0.69),
    GROUPED_BARS: (0.08, 0.19, 0.62, 0.69),
    SCATTER: (0.1, 0.15, 0.6, 0.73),
}
_LEGEND = {"frameon": False, "fontsize": 8, "loc": "upper left"}
_LEGEND_WIDTH = 26  # characters per line of a legend entry
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def _wrapped(label: str, width: int = _LEGEND_WIDTH) -> str:
    return textwrap.fill(label, width)


def figure(data: ChartData) -> Figure:
    """The chart drawn on a matplotlib Figure (for `render`, and for tests of its layout)."""
    with rc_context(_RC):
        return _figure(data)


def _figure(data: ChartData) -> Figure:
    fig = Figure(figsize=(7.5, 4.6))
    ax = fig.add_axes(_AXES_BOX[data.kind])
    title = textwrap.fill(data.title, 66)
    fig.suptitle(title, fontsize=12 if "\n" not in title else 11, fontweight="bold", y=0.985, va="top")
    if not data.total:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No models to count yet.", ha="center", va="center", transform=ax.transAxes)
        return fig
    if data.kind == PIE:
        _pie(ax, data)
    elif data.kind == LINES:
        _lines(fig, ax, data)
    elif data.kind == SCATTER:
        _scatter(ax, data)
    else:
        _bars(ax, data, stacked=data.kind == STACKED_BARS)
    return fig


def _pie(ax, data: ChartData) -> None:
    counts = [s.count for s in data.slices]
    colours = palette.colours_for([s.label for s in data.slices])
    wedges, _texts, autotexts = ax.pie(
        counts,
        colors=colours,
        startangle=90,
        counterclock=False,
        autopct=lambda pct: f"{pct:.0f}%" if pct >= 4 else "",
        pctdistance=0.75,
        wedgeprops={"linewidth": 1, "edgecolor": palette.BACKGROUND},
    )
    for text, colour in zip(autotexts, colours, strict=True):
        text.set_color(palette.ink_for(colour))
        text.set_fontweight("bold")
    ax.legend(
        wedges,
        [_wrapped(f"{s.label}: {s.count} ({s.percent:g}%)", 36) for s in data.slices],
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        frameon=False,
    )
    ax.set_aspect("equal")
    ax.set_title(f"{data.total} models", fontsize=10)


def _bars(ax, data: ChartData, *, stacked: bool) -> None:
    xs = data.x_values()
    positions = range(len(xs))
    n = max(len(data.series), 1)
    width = 0.8 if stacked else 0.8 / n
    bottoms = [0.0] * len(xs)
    colours = palette.colours_for([s.label for s in data.series])
    for i, (series, colour) in enumerate(zip(data.series, colours, strict=True)):
        values = {p.x: p.value for p in series.points}
        heights = [values.get(x, 0) for x in xs]
        if stacked:
            ax.bar(positions, heights, width, bottom=bottoms, label=_wrapped(series.label), color=colour)
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        else:
            offset = (i - (n - 1) / 2) * width
            ax.bar([p + offset for p in positions], heights, width, label=_wrapped(series.label), color=colour)
    ax.set_xticks(list(positions), xs, fontsize=7 if len(xs) > 8 else 10, rotation=45 if len(xs) > 8 else 0)
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    ax.legend(bbox_to_anchor=(1.02, 1.0), **_LEGEND)


def _lines(fig, ax, data: ChartData) -> None:
    """Lines; a share (%) beside the Herfindahl-Hirschman index gets a second axis (0–10,000)."""
    xs = data.x_values()
    first, *others = data.series
    colours = palette.colours_for([s.label for s in data.series])
    twin_scale = bool(others) and others[0].label == HHI
    ax.plot(xs, [p.value for p in first.points], marker="o", color=colours[0], label=_wrapped(first.label))
    ax.set_xlabel(data.x_label)
    handles = ax.get_lines()
    if twin_scale:
        ax.set_ylabel(first.label, color=colours[0])
        ax.set_ylim(0, 105)
        twin = ax.twinx()
        second = others[0]
        twin.plot(
            xs,
            [p.value for p in second.points],
            marker="s",
            linestyle="--",
            color=colours[1],
            label=_wrapped(second.label),
        )
        twin.set_ylabel(second.label, color=colours[1])
        twin.set_ylim(0, 10500)
        twin.spines["right"].set_visible(True)
        handles = handles + twin.get_lines()
    else:
        for i, series in enumerate(others, start=1):
            ax.plot(
                xs,
                [p.value for p in series.points],
                marker=_MARKERS[i % len(_MARKERS)],
                color=colours[i],
                label=_wrapped(series.label),
            )
        ax.set_ylabel(data.y_label)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(_compact))
        handles = ax.get_lines()
    if len(xs) > 5:
        ax.tick_params(axis="x", labelsize=8, labelrotation=45)
    # Beyond the right-hand axis and its label.
    fig.legend(handles=handles, bbox_to_anchor=(0.72, 0.88), **_LEGEND)


def _compact(value: float, _position=None) -> str:
    """1,500,000 as 1.5M, 20,000 as 20k: axis labels that fit."""
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:g}{suffix}"
    return f"{value:g}"


def release_position(x: str) -> float:
    """A release label ("YYYY-MM" or "YYYY") as a position on a year axis (2024-07 is 2024.5)."""
    year, _, month = x.partition("-")
    return int(year) + (int(month) - 1) / 12 if month else float(year)


def _scatter(ax, data: ChartData) -> None:
    colours = palette.colours_for([s.label for s in data.series])
    positions = []
    for i, (series, colour) in enumerate(zip(data.series, colours, strict=True)):
        xs = [release_position(p.x) for p in series.points]
        positions += xs
        ax.scatter(
            xs,
            [p.value for p in series.points],
            s=22,
            color=colour,
            marker=_MARKERS[i % len(_MARKERS)],
            edgecolors=palette.BACKGROUND,
            linewidths=0.4,
            label=_wrapped(series.label),
            zorder=2,
        )
    first, last = int(min(positions)), int(max(positions)) + 1
    ax.set_xlim(first - 0.1, last + 0.1)
    ax.set_xticks(range(first, last + 1), [str(y) for y in range(first, last + 1)])
    ax.set_ylim(0, 100)
    ax.set_yticks(range(0, 101, 25), [f"{v}%" for v in range(0, 101, 25)])
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6, zorder=0)
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    ax.legend(bbox_to_anchor=(1.02, 1.0), markerscale=1.3, **_LEGEND)


def render(data: ChartData) -> dict[str, bytes]:
    """The chart as {"svg": bytes, "png": bytes}."""
    with rc_context(_RC):
        fig = _figure(data)
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Title": data.title, "Description": data.alt_text()})
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    return {"svg": svg.getvalue(), "png": png.getvalue()}
