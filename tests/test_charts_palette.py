"""The charts' looks, read off the drawn figures (matplotlib artists, not the code that made
them): one colour per category in every chart, label text that meets WCAG AA contrast on what it
is drawn on, and legends that never cover the plotted data."""

from __future__ import annotations

from collections import defaultdict

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.lines import Line2D
from matplotlib.text import Text

from curation.charts import palette
from curation.charts.catalogue import catalogue
from curation.charts.render import figure
from tests.charts_helpers import build_demo_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(adoption_index, make_organisation, make_ai_model):
    """Every chart of the catalogue, drawn from a small index touching every category, with
    Hugging Face downloads for the adoption charts."""
    build_demo_index(make_organisation, make_ai_model)
    drawn = {}
    for key, spec in catalogue().items():
        fig = figure(spec.compute())
        FigureCanvasAgg(fig)
        fig.canvas.draw()
        drawn[key] = fig
    return drawn


def _legends(fig):
    return [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)


def _handle_colour(handle) -> str:
    if isinstance(handle, Line2D):
        return to_hex(handle.get_color())
    if isinstance(handle, PathCollection):
        return to_hex(handle.get_facecolor()[0])
    return to_hex(handle.get_facecolor())


def _legend_colours(fig) -> dict[str, str]:
    """{category label: colour} as the figure's legend shows them (a pie's entries end in
    ": count (percent)")."""
    found = {}
    for legend in _legends(fig):
        for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
            label = " ".join(text.get_text().split())
            if ": " in label and label.endswith("%)"):
                label = label.rsplit(": ", 1)[0]
            found[label] = _handle_colour(handle)
    return found


def test_a_category_has_the_same_colour_in_every_chart_that_shows_it(figures):
    seen: dict[str, dict[str, str]] = defaultdict(dict)  # label -> {chart: colour}
    for key, fig in figures.items():
        colours = _legend_colours(fig)
        assert colours, key
        # Within one chart, no two categories share a colour.
        assert len(set(colours.values())) == len(colours), (key, colours)
        for label, colour in colours.items():
            seen[label][key] = colour
    for label, by_chart in seen.items():
        assert len(set(by_chart.values())) == 1, (label, by_chart)
    # The ones readers compare across charts, and the charts that show them.
    assert set(seen["Academic"]) == {"academic-share", "academic-share-latest"}
    assert {"national-origins", "regions", "releases-by-region"} <= set(seen["China"])
    assert {"big-tech-share", "big-tech-share-latest"} <= set(seen["American Big Tech"])
    assert {"openness-by-type", "openness-timeline"} <= set(seen["Text"])
    assert {"national-origins", "regions"} <= set(seen["International"]) and {
        "academic-share",
        "big-tech-share",
    } <= set(seen["Not classified"])
    # The colour is the palette's, the one table.
    for label in ("Academic", "China", "American Big Tech", "Text"):
        assert set(seen[label].values()) == {palette.colour_for(label)}


def test_the_palette_gives_each_label_one_colour():
    table = palette.by_label()
    assert table["China"] == palette.COLOURS[("country", "CN")]
    assert table["United States"] == palette.COLOURS[("country", "US")]  # as the chart names it
    # Spare colours for countries outside the table: the same for a name, distinct within a chart.
    assert palette.colour_for("Atlantis") == palette.colour_for("Atlantis") in palette.SPARE
    labels = [f"Country {i}" for i in range(len(palette.SPARE))]
    assert len(set(palette.colours_for(labels))) == len(labels)


def test_contrast_ratio_is_wcags():
    assert palette.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert palette.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert palette.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the known AA grey
    for colour in list(palette.COLOURS.values()) + list(palette.SPARE):
        assert palette.contrast_ratio(palette.ink_for(colour), colour) >= 4.5, colour


def _background(fig, text: Text, renderer) -> str:
    """What a text is drawn on: the topmost filled shape of its axes under its centre, else the
    figure's background."""
    box = text.get_window_extent(renderer)
    centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
    under = palette.BACKGROUND
    for ax in fig.axes:
        for patch in ax.patches:
            if patch.get_visible() and patch.get_fill() and patch.contains_point(centre):
                under = to_hex(patch.get_facecolor())
    return under


def test_every_label_is_whole_and_meets_wcag_aa_contrast_on_its_background(figures):
    checked = 0
    for key, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        for text in fig.findobj(Text):
            if not text.get_visible() or not text.get_text().strip():
                continue
            box = text.get_window_extent(renderer)
            inside = (
                fig.bbox.x0 - 1 <= box.x0
                and box.x1 <= fig.bbox.x1 + 1
                and fig.bbox.y0 - 1 <= box.y0
                and box.y1 <= fig.bbox.y1 + 1
            )
            assert inside, (key, text.get_text(), "is cut off by the picture's edge")
            colour = to_rgba(text.get_color())
            background = _background(fig, text, renderer)
            ratio = palette.contrast_ratio(colour, background)
            assert ratio >= 4.5, (key, text.get_text(), to_hex(colour), background, round(ratio, 2))
            checked += 1
    # The pies' percentages drawn on their slices are among them.
    assert checked > 200


def _data_boxes_and_points(fig, renderer):
    boxes, points = [], []
    for ax in fig.axes:
        boxes += [p.get_window_extent(renderer) for p in ax.patches if p.get_visible()]
        for line in ax.lines:
            points += list(line.get_transform().transform(line.get_xydata()))
        for collection in ax.collections:
            points += list(collection.get_offset_transform().transform(collection.get_offsets()))
    return boxes, points


def test_no_legend_covers_the_plotted_data(figures):
    for key, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        boxes, points = _data_boxes_and_points(fig, renderer)
        assert boxes or points, key
        for legend in _legends(fig):
            area = legend.get_window_extent(renderer)
            assert not [b for b in boxes if b.width and b.height and area.overlaps(b)], key
            assert not [p for p in points if area.contains(*p)], key
            # And the legend stays inside the picture.
            assert area.x1 <= fig.bbox.x1 and area.y0 >= fig.bbox.y0, key
