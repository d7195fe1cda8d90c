"""The charts' colours: one table, keyed by vocabulary category, used by every chart.

A category keeps its colour in every chart that shows it (Academic, China, American Big Tech,
Text models are the same colour everywhere), and no two categories of one chart share one.
Charts label their slices and series with the vocabulary's labels (curation.vocab, and the
chart catalogue's own groups such as "Not classified"), so the table is read by label; the
labels are derived from the vocabularies here, never written twice.

Text drawn on a colour (a pie's percentages) takes black or white, whichever contrasts more;
`contrast_ratio` is WCAG 2's formula, and either ink reaches at least 4.58:1 on any colour.
Countries outside the table (the national-origins chart names the largest few) get a colour of
the spare pool chosen by their name, so they too keep it from chart to chart; two of them can
meet in one chart only by chance, and then the later one moves to the next spare colour.
"""

from __future__ import annotations

import hashlib

from curation import vocab
from curation.charts import catalogue

# --- the table ---------------------------------------------------------------------------------
# (vocabulary, value) -> colour. Families: American and United States blue, Chinese red/orange,
# European gold, academic green, unclassified and unknown greys.
COLOURS: dict[tuple[str, str], str] = {
    # Sectors (academic-share)
    ("sector", vocab.Sector.ACADEMIC): "#1b7837",
    ("sector", vocab.Sector.NON_ACADEMIC): "#762a83",
    # Big Tech blocs (big-tech-share)
    ("bloc", vocab.BigTechBloc.AMERICAN): "#08519c",
    ("bloc", vocab.BigTechBloc.CHINESE): "#a50f15",
    ("bloc", vocab.BigTechBloc.CHINESE_AI_TIGER): "#f4845f",
    ("bloc", vocab.BigTechBloc.EUROPEAN): "#e6ab02",
    ("bloc", vocab.BigTechBloc.NONE): "#80b1d3",
    # Countries (national-origins): the ones the index counts most
    ("country", "US"): "#2166ac",
    ("country", "CN"): "#d6382d",
    ("country", "FR"): "#6a51a3",
    ("country", "DE"): "#fdb863",
    ("country", "GB"): "#1b9e77",
    ("country", "SG"): "#e7298a",
    ("country", "AE"): "#66a61e",
    ("country", "FI"): "#a6761d",
    ("country", "KR"): "#17becf",
    ("country", "CA"): "#9e0142",
    ("country", "JP"): "#fb9a99",
    ("country", "IL"): "#b2df8a",
    ("country", "NL"): "#ff7f00",
    ("country", "CH"): "#cab2d6",
    ("country", "IN"): "#8dd3c7",
    # Regions (regions, releases-by-region); China is the country's colour
    ("region", vocab.Region.EUROPE): "#e6ab02",
    ("region", vocab.Region.NORTH_AMERICA): "#2166ac",
    ("region_group", catalogue.OTHER_REGIONS): "#7570b3",
    # Kinds of national origin other than a country (national-origins, regions)
    ("origin_scope", vocab.OriginScope.INTERNATIONAL): "#35978f",
    ("origin_scope", vocab.OriginScope.UNDISCLOSED): "#525252",
    ("origin_scope", vocab.OriginScope.UNKNOWN): "#969696",
    ("group", catalogue.OTHER_ORIGINS): "#8c6d31",
    ("group", catalogue.NOT_CLASSIFIED): "#d0d0d0",
    # Model types (openness-by-type, openness-timeline)
    ("type", vocab.ModelType.TEXT): "#4477aa",
    ("type", vocab.ModelType.IMAGE): "#ee6677",
    ("type", vocab.ModelType.CODE): "#228833",
    ("type", vocab.ModelType.VIDEO): "#ccbb44",
    ("type", vocab.ModelType.AUDIO): "#aa3377",
    # Series of their own
    ("series", catalogue.OPEN_WEIGHTS_ONLY): "#f1a340",
    ("series", catalogue.OPEN_ON_ALL): "#5e3c99",
    ("series", catalogue.TOP_SHARE): "#2166ac",
    ("series", catalogue.HHI): "#b2182b",
}

# Openness grades (the share cards' grade bars): the site's grade colours, strong enough to
# stand as shapes on white.
GRADES: dict[str, str] = {
    vocab.Grade.OPEN: "#2e7d32",
    vocab.Grade.PARTIAL: "#f2a900",
    vocab.Grade.CLOSED: "#c62828",
    vocab.Grade.NOT_ASSESSED: "#b0b6bd",
    vocab.Grade.UNRECOGNISED: "#b0b6bd",
}

# For countries outside the table, chosen by name (see the module docstring).
SPARE = (
    "#8c564b",
    "#bcbd22",
    "#f781bf",
    "#4daf4a",
    "#984ea3",
    "#ff9896",
    "#c49c94",
    "#9edae5",
    "#dbdb8d",
    "#c5b0d5",
    "#7f7f7f",
    "#1f78b4",
)
WHITE, BLACK = "#ffffff", "#000000"
# What the charts are drawn on.
BACKGROUND = WHITE


def _label(kind: str, value: str) -> str:
    """The label charts give a category of the table."""
    if kind == "sector":
        return vocab.Sector(value).label
    if kind == "bloc":
        return vocab.BIG_TECH_GROUP_LABELS[value]
    if kind == "country":
        return catalogue.origin_slice_label(vocab.OriginScope.COUNTRY, value)
    if kind == "region":
        return vocab.Region(value).label
    if kind == "origin_scope":
        return vocab.OriginScope(value).label
    if kind == "type":
        return vocab.ModelType(value).label
    return value  # the catalogue's own groups and series carry their label as their value


def by_label() -> dict[str, str]:
    """{label: colour} for every category of the table. A label two vocabularies share (China
    the country and the region, International the origin and the region) names one category;
    the table must then give it one colour, which this checks."""
    found: dict[str, str] = {}
    for (kind, value), colour in COLOURS.items():
        label = _label(kind, value)
        if found.setdefault(label, colour) != colour:
            raise ValueError(f"palette: {label!r} has two colours ({found[label]}, {colour})")
    return found


_BY_LABEL = by_label()


def colour_for(label: str) -> str:
    """The colour of a category, by the label charts give it."""
    if label in _BY_LABEL:
        return _BY_LABEL[label]
    digest = hashlib.sha256(label.encode()).digest()
    return SPARE[digest[0] % len(SPARE)]


def grade_colour(grade: str) -> str:
    return GRADES.get(grade, GRADES[vocab.Grade.NOT_ASSESSED])


def colours_for(labels: list[str]) -> list[str]:
    """One colour per label, in order: each its category's colour; a spare colour that another
    label of the same chart already took moves to the next free spare one."""
    taken: set[str] = set()
    out = []
    for label in labels:
        colour = colour_for(label)
        if label not in _BY_LABEL and colour in taken:
            free = [c for c in SPARE if c not in taken]
            colour = free[0] if free else colour
        taken.add(colour)
        out.append(colour)
    return out


# --- contrast (WCAG 2.x) -----------------------------------------------------------------------


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour) -> float:
    """WCAG relative luminance (0 black to 1 white) of "#rrggbb" or an (r, g, b[, a]) of 0–1 floats."""
    if isinstance(colour, str):
        colour = colour.lstrip("#")
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    else:
        rgb = list(colour[:3])
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG contrast ratio of two colours, from 1 (equal) to 21 (black on white)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_for(background: str) -> str:
    """Black or white, whichever contrasts more with `background`."""
    return BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE
