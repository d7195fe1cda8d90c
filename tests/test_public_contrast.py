"""The stylesheet's colour pairs meet WCAG 2 AA contrast (4.5:1 for body text)."""

from __future__ import annotations

import re

import pytest

from .conftest import PROJECT_ROOT

STYLESHEET = PROJECT_ROOT / "curation" / "static" / "curation" / "site.css"

# (text colour, background colour) as the stylesheet pairs them.
PAIRS = [
    ("ink", "paper"),
    ("ink", "tint"),
    ("muted", "paper"),
    ("muted", "tint"),
    ("accent", "paper"),
    ("accent", "tint"),
    ("accent-ink", "accent"),
    ("open-ink", "open-bg"),
    ("partial-ink", "partial-bg"),
    ("closed-ink", "closed-bg"),
    ("na-ink", "na-bg"),
]


def _colours() -> dict[str, str]:
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})\b", STYLESHEET.read_text()))


def _luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("text, background", PAIRS)
def test_text_colours_meet_wcag_aa(text, background):
    colours = _colours()
    ratio = contrast(colours[text], colours[background])
    assert ratio >= 4.5, f"--{text} on --{background}: {ratio:.2f}:1"
