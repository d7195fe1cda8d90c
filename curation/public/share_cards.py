"""Link-preview pictures (Open Graph / Twitter cards), 1200 × 630 PNG, drawn with Pillow.

A model's card shows its name, organisation, total openness score and a bar of its grades, one
segment per applicable openness dimension in registry order (colours: the palette's grades).
The site's card (for pages without a picture of their own) shows the site's name and what it
rates.

Cards are stored in the default storage under a name holding a hash of what they show, so a
card is drawn once and then served from storage until the model's name, organisation, score or
grades change (a new name; the model's older cards are deleted). Pages link to a stable address
(`/models/<slug>/card.png`, `/share/site.png`) whose response is also cached per data version.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from curation import vocab
from curation.charts import palette
from curation.models import AIModel
from curation.public import queries
from curation.scoring import as_percent

WIDTH, HEIGHT = 1200, 630
# Bump when the drawing changes, so that every card is drawn again once.
CARD_VERSION = "1"
STORAGE_DIR = "share-cards"
SITE_NAME = "European Open Source AI Index"
SITE_LINE = "How open are generative AI models? Data, weights, code, documentation and licences, graded with evidence."

_INK, _MUTED, _PAPER, _ACCENT, _ACCENT_INK = "#1b1f24", "#4d5560", "#ffffff", "#0b4f8a", "#ffffff"
_MARGIN = 60


def _font_file(bold: bool) -> str:
    """Path of DejaVu Sans (bold or regular), the font the charts are drawn in.

    It ships with matplotlib (a dependency for the charts), so it is the same on every machine;
    the file is found without importing matplotlib, which the web process never loads.
    Raises FileNotFoundError when matplotlib is not installed.
    """
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the card font (DejaVu Sans) comes with matplotlib, which is not installed")
    package = Path(next(iter(spec.submodule_search_locations)))
    return str(package / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"))


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(_font_file(bold), size)


@dataclass(frozen=True)
class ModelCard:
    """What a model's card shows. `grades`: one vocab.Grade value per applicable dimension."""

    name: str
    organisation: str
    percent: int
    grades: tuple[str, ...]
    withdrawn_on: str = ""

    def key(self) -> str:
        payload = json.dumps([CARD_VERSION, self.name, self.organisation, self.percent, self.grades, self.withdrawn_on])
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def model_card(model: AIModel) -> ModelCard:
    """The card's content for a model (two queries: its grades and category scores)."""
    row = queries.build_rows([model], queries.registry_columns())[0]
    return ModelCard(
        name=model.name,
        organisation=model.organisation.name if model.organisation else "",
        percent=as_percent(model.total_score),
        grades=tuple(cell.grade for cell in row.cells if cell.grade is not None),
        withdrawn_on=_day_month_year(model.removed_upstream_at) if model.is_withdrawn else "",
    )


def _day_month_year(moment: datetime.datetime | None) -> str:
    """ "3 March 2025" (no leading zero); "" for None."""
    return f"{moment.day} {moment:%B %Y}" if moment else ""


def _fit(
    draw: ImageDraw.ImageDraw, text: str, width: int, sizes: tuple[int, ...], bold: bool, lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which `text` wraps into at most `lines` lines of `width` pixels
    (the last line cut with an ellipsis at the smallest size)."""
    for size in sizes:
        font = _font(size, bold)
        wrapped = _wrap(draw, text, font, width)
        if len(wrapped) <= lines:
            return font, wrapped
    wrapped = _wrap(draw, text, font, width)[:lines]
    while draw.textlength(wrapped[-1] + "…", font=font) > width and wrapped[-1]:
        wrapped[-1] = wrapped[-1][:-1]
    wrapped[-1] += "…"
    return font, wrapped


def _wrap(draw, text: str, font, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 84), fill=_ACCENT)
    draw.text((_MARGIN, 42), "◐  " + SITE_NAME, font=_font(32, bold=True), fill=_ACCENT_INK, anchor="lm")
    return image, draw


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def draw_model_card(card: ModelCard) -> bytes:
    """The model's card as PNG bytes (1200 × 630)."""
    image, draw = _canvas()
    width = WIDTH - 2 * _MARGIN
    y: float = 120
    font, lines = _fit(draw, card.name, width - 330, (68, 60, 52, 44), bold=True, lines=2)
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=_INK)
        y += font.size + 12
    if card.organisation:
        org_font, org_lines = _fit(draw, card.organisation, width - 330, (34, 30, 26), bold=False, lines=1)
        draw.text((_MARGIN, y + 6), org_lines[0], font=org_font, fill=_MUTED)
    # The score, right-aligned beside the name.
    draw.text((WIDTH - _MARGIN, 118), f"{card.percent}%", font=_font(112, bold=True), fill=_ACCENT, anchor="ra")
    draw.text((WIDTH - _MARGIN, 252), "open", font=_font(34), fill=_MUTED, anchor="ra")
    if card.withdrawn_on:
        draw.text(
            (_MARGIN, 360), f"Withdrawn from the index on {card.withdrawn_on}", font=_font(28, bold=True), fill=_MUTED
        )
    _grade_bar(draw, card.grades, top=420, width=width)
    return _png(image)


def _grade_bar(draw: ImageDraw.ImageDraw, grades: tuple[str, ...], *, top: int, width: int) -> None:
    """One segment per applicable dimension, coloured by grade, and a key with the counts."""
    if not grades:
        draw.text((_MARGIN, top), "No openness dimension assessed yet", font=_font(28), fill=_MUTED)
        return
    gap, height = 6, 64
    segment = (width - gap * (len(grades) - 1)) / len(grades)
    for i, grade in enumerate(grades):
        x0 = _MARGIN + i * (segment + gap)
        draw.rounded_rectangle((x0, top, x0 + segment, top + height), radius=6, fill=palette.grade_colour(grade))
    x, y = _MARGIN, top + height + 34
    key_font = _font(28)
    for grade in vocab.Grade:
        count = grades.count(grade.value)
        if not count:
            continue
        draw.rounded_rectangle((x, y, x + 28, y + 28), radius=4, fill=palette.grade_colour(grade.value))
        text = f"{grade.label.split(',')[0]} {count}"
        draw.text((x + 40, y + 14), text, font=key_font, fill=_INK, anchor="lm")
        x += 40 + int(draw.textlength(text, font=key_font)) + 44
    draw.text((WIDTH - _MARGIN, y + 14), f"{len(grades)} dimensions", font=key_font, fill=_MUTED, anchor="rm")


def draw_site_card() -> bytes:
    """The site's card as PNG bytes (1200 × 630): for pages without a picture of their own."""
    image, draw = _canvas()
    width = WIDTH - 2 * _MARGIN
    font, lines = _fit(draw, SITE_NAME, width, (76, 68), bold=True, lines=2)
    y: float = 150
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=_INK)
        y += font.size + 14
    line_font, text_lines = _fit(draw, SITE_LINE, width, (36, 32), bold=False, lines=3)
    y += 20
    for line in text_lines:
        draw.text((_MARGIN, y), line, font=line_font, fill=_MUTED)
        y += line_font.size + 10
    grades = ("open",) * 5 + ("partial",) * 4 + ("closed",) * 5
    _grade_bar_plain(draw, grades, top=HEIGHT - 110, width=width)
    return _png(image)


def _grade_bar_plain(draw, grades, *, top: int, width: int) -> None:
    gap, height = 6, 40
    segment = (width - gap * (len(grades) - 1)) / len(grades)
    for i, grade in enumerate(grades):
        x0 = _MARGIN + i * (segment + gap)
        draw.rounded_rectangle((x0, top, x0 + segment, top + height), radius=5, fill=palette.grade_colour(grade))


# --- stored once, served many times ------------------------------------------------------------


def _stored(name: str, draw) -> bytes:
    """The file `name` of the default storage, drawn and stored first if it is not there yet."""
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return stored.read()
    content = draw()
    default_storage.save(name, ContentFile(content))
    return content


def model_card_png(model: AIModel) -> bytes:
    """The model's card, drawn only when what it shows changed since it was last drawn (older
    cards of the model are then deleted)."""
    card = model_card(model)
    prefix = f"{STORAGE_DIR}/model-{model.pk}-"
    name = f"{prefix}{card.key()}.png"
    if not default_storage.exists(name):
        try:
            _dirs, files = default_storage.listdir(STORAGE_DIR)
        except FileNotFoundError:
            files = []
        for old in files:
            if f"{STORAGE_DIR}/{old}".startswith(prefix):
                default_storage.delete(f"{STORAGE_DIR}/{old}")
    return _stored(name, lambda: draw_model_card(card))


def site_card_png() -> bytes:
    return _stored(f"{STORAGE_DIR}/site-{CARD_VERSION}.png", draw_site_card)
