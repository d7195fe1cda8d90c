"""Drawing ChartData as SVG and PNG with matplotlib's Agg/SVG backends (no pyplot, no GUI).

Output is deterministic (fixed SVG id salt, no timestamps in metadata), so equal data gives
byte-equal files and therefore equal content-hashed names.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import rc_context  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from curation.charts.data import GROUPED_BARS, LINES, PIE, STACKED_BARS, ChartData  # noqa: E402

# Bump when the drawing changes, so that every chart is re-rendered once.
RENDER_VERSION = "3"

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#8C6D31", "#6B6ECF", "#B5CF6B"]

_RC = {
    "svg.hashsalt": "osai-index-charts",
    "svg.fonttype": "none",  # text stays text: searchable, selectable, smaller
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


# Fixed margins rather than a layout engine: drawing twice as fast, and the same for every chart.
_AXES_BOX = {
    PIE: (0.02, 0.04, 0.5, 0.82),
    LINES: (0.09, 0.13, 0.79, 0.75),
    STACKED_BARS: (0.09, 0.13, 0.88, 0.75),
    GROUPED_BARS: (0.09, 0.13, 0.88, 0.75),
}


def _figure(data: ChartData) -> Figure:
    fig = Figure(figsize=(7.5, 4.6))
    ax = fig.add_axes(_AXES_BOX[data.kind])
    fig.suptitle(data.title, fontsize=12, fontweight="bold", y=0.97)
    if not data.total:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No models to count yet.", ha="center", va="center", transform=ax.transAxes)
        return fig
    if data.kind == PIE:
        _pie(ax, data)
    elif data.kind == LINES:
        _lines(fig, ax, data)
    else:
        _bars(ax, data, stacked=data.kind == STACKED_BARS)
    return fig


def _pie(ax, data: ChartData) -> None:
    counts = [s.count for s in data.slices]
    wedges, _texts, autotexts = ax.pie(
        counts, colors=PALETTE[: len(counts)], startangle=90, counterclock=False,
        autopct=lambda pct: f"{pct:.0f}%" if pct >= 4 else "", pctdistance=0.75,
        wedgeprops={"linewidth": 1, "edgecolor": "white"},
    )
    for text in autotexts:
        text.set_color("white")
        text.set_fontweight("bold")
    ax.legend(wedges, [f"{s.label}: {s.count} ({s.percent:g}%)" for s in data.slices],
              loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
    ax.set_aspect("equal")
    ax.set_title(f"{data.total} models", fontsize=10)


def _bars(ax, data: ChartData, *, stacked: bool) -> None:
    xs = data.x_values()
    positions = range(len(xs))
    n = max(len(data.series), 1)
    width = 0.8 if stacked else 0.8 / n
    bottoms = [0.0] * len(xs)
    for i, series in enumerate(data.series):
        values = dict((p.x, p.value) for p in series.points)
        heights = [values.get(x, 0) for x in xs]
        if stacked:
            ax.bar(positions, heights, width, bottom=bottoms, label=series.label, color=PALETTE[i % len(PALETTE)])
            bottoms = [b + h for b, h in zip(bottoms, heights)]
        else:
            offset = (i - (n - 1) / 2) * width
            ax.bar([p + offset for p in positions], heights, width, label=series.label, color=PALETTE[i % len(PALETTE)])
    ax.set_xticks(list(positions), xs, fontsize=8 if len(xs) > 8 else 10)
    ax.set_xlabel(data.x_label)
    ax.set_ylabel(data.y_label)
    ax.legend(frameon=False, fontsize=8, loc="upper left")


def _lines(fig, ax, data: ChartData) -> None:
    xs = data.x_values()
    first, *others = data.series
    ax.plot(xs, [p.value for p in first.points], marker="o", color=PALETTE[0], label=first.label)
    ax.set_ylabel(first.label, color=PALETTE[0])
    ax.set_ylim(0, 105)
    ax.set_xlabel(data.x_label)
    if others:
        twin = ax.twinx()
        second = others[0]
        twin.plot(xs, [p.value for p in second.points], marker="s", linestyle="--", color=PALETTE[5], label=second.label)
        twin.set_ylabel(second.label, color=PALETTE[5])
        twin.set_ylim(0, 10500)
        twin.spines["right"].set_visible(True)
        ax.legend(handles=ax.get_lines() + twin.get_lines(), frameon=False, fontsize=8, loc="upper left")


def render(data: ChartData) -> dict[str, bytes]:
    """The chart as {"svg": bytes, "png": bytes}."""
    with rc_context(_RC):
        fig = _figure(data)
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Title": data.title, "Description": data.alt_text()})
        fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    return {"svg": svg.getvalue(), "png": png.getvalue()}
