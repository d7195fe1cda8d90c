"""Openness badges: a small SVG per model (its name and openness score) for READMEs and pages
elsewhere, served at /models/<slug>/badge.svg.

The score half is painted in the colours of the grade its score lies nearest to
(`curation.scoring.score_grade`): the site's own grade colours, read from the one place they
are written, the stylesheet's custom properties (`--open-bg`, `--open-ink`, … in
curation/static/curation/site.css, light scheme), so a badge and a grade cell never disagree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from curation.scoring import as_percent, score_grade

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "curation" / "site.css"
SITE_NAME = "European Open Source AI Index"
HEIGHT = 20
FONT_SIZE = 11
PADDING = 6
MAX_NAME_CHARS = 40
# Average advance of a character of Verdana/DejaVu Sans at 11 px; the text is then fitted to
# exactly the width worked out from it (textLength), whatever font the viewer has.
CHAR_WIDTH = 6.8


@lru_cache(maxsize=1)
def site_colours() -> dict[str, str]:
    """The light scheme's custom properties of site.css, {name without "--": "#rrggbb"}.

    Raises LookupError naming the file if the stylesheet has no :root block."""
    css = STYLESHEET.read_text(encoding="utf-8")
    root = re.search(r":root\s*\{(.*?)\}", css, re.S)
    if root is None:
        raise LookupError(f"{STYLESHEET}: no :root block with the site's colours")
    return dict(re.findall(r"--([\w-]+)\s*:\s*(#[0-9a-fA-F]{3,8})\s*;", root.group(1)))


def grade_colours(grade: str) -> tuple[str, str]:
    """(background, ink) of a grade as the site paints a grade cell, e.g. ("#cdebd3", "#0d4a1c")
    for "open". Raises KeyError naming the missing property."""
    colours = site_colours()
    prefix = grade.replace("_", "-")
    try:
        return colours[f"{prefix}-bg"], colours[f"{prefix}-ink"]
    except KeyError as missing:
        raise KeyError(f"{STYLESHEET} defines no --{missing.args[0]}") from None


def _text_width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH)


def badge_svg(name: str, score, *, withdrawn: bool = False) -> str:
    """The badge of a model: `name` on the site's ink, "<percent>% open" on its grade's colours
    ("withdrawn" on the not-assessed colours for a model withdrawn from the index).

    `score` is the model's total openness score (0–1, upstream's formula; None counts 0).
    Returns a standalone SVG document (str), 20 px high, as wide as its text; names longer than
    40 characters are shortened with an ellipsis.
    """
    label = name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1].rstrip() + "…"
    colours = site_colours()
    if withdrawn:
        value, background, ink = "withdrawn", colours["na-bg"], colours["na-ink"]
    else:
        value = f"{as_percent(score)}% open"
        background, ink = grade_colours(score_grade(score))
    left_text, right_text = _text_width(label), _text_width(value)
    left, right = left_text + 2 * PADDING, right_text + 2 * PADDING
    width = left + right
    summary = f"{name}: {value} ({SITE_NAME})"
    baseline = 14
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{HEIGHT}" '
        f'viewBox="0 0 {width} {HEIGHT}" role="img" aria-label={quoteattr(summary)}>'
        f"<title>{escape(summary)}</title>"
        f'<rect width="{left}" height="{HEIGHT}" fill="{colours["ink"]}"/>'
        f'<rect x="{left}" width="{right}" height="{HEIGHT}" fill="{background}"/>'
        f'<g font-family="Verdana,DejaVu Sans,sans-serif" font-size="{FONT_SIZE}" aria-hidden="true">'
        f'<text x="{PADDING}" y="{baseline}" fill="{colours["paper"]}" textLength="{left_text}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(label)}</text>'
        f'<text x="{left + PADDING}" y="{baseline}" fill="{ink}" textLength="{right_text}" '
        f'lengthAdjust="spacingAndGlyphs">{escape(value)}</text>'
        f"</g></svg>"
    )
