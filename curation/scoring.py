"""Openness scores, exactly as the upstream index computes them. Pure functions, no ORM.

- a grade scores open = 1, partial = 0.5, closed = 0; an empty grade (not assessed) also 0;
- a dimension applies to a model when it is active and shares a type with the model (a model
  with no types yet is scored on every active dimension; a dimension listing no types, upstream's
  `types: []`, applies to no model);
- a category score is the mean of its applicable dimensions; the total is the mean of all
  applicable dimensions (not the mean of category means).
- a whole percentage is rounded half up (0.625 -> 63), as JavaScript's Math.round does upstream,
  and the CSV total has 4 decimals rounded half up from the exact binary value, as toFixed(4).
Fractions keep the arithmetic exact; callers convert to float for storage.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from curation.vocab import ASSESSED_GRADES, GRADE_POINTS, Grade


@dataclass(frozen=True)
class DimensionSpec:
    ref: str
    category: str
    types: frozenset[str]
    active: bool = True


@dataclass(frozen=True)
class Scores:
    total: Fraction | None
    categories: dict[str, Fraction | None]

    def as_floats(self) -> tuple[float, dict[str, float]]:
        return (
            float(self.total or 0),
            {ref: float(v or 0) for ref, v in self.categories.items()},
        )


def grade_points(grade: str | None) -> Fraction:
    return GRADE_POINTS.get(grade or Grade.NOT_ASSESSED, Fraction(0))


def applies(dimension: DimensionSpec, model_types: Iterable[str]) -> bool:
    if not dimension.active:
        return False
    types = set(model_types)
    return not types or bool(dimension.types & types)


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    if not values:
        return None
    # The exact mean, summed as integers over the common denominator of the points (1 and 2 for
    # open, partial and closed): the same Fraction as adding Fractions one by one, which costs
    # a normalisation per addition (the past index rescores up to every model).
    common = math.lcm(*{value.denominator for value in values})
    return Fraction(sum(value.numerator * (common // value.denominator) for value in values), common * len(values))


def compute_scores(
    dimensions: Sequence[DimensionSpec], model_types: Iterable[str], grades: Mapping[str, str]
) -> Scores:
    """Scores of one model from its grades by dimension ref; missing grades count as empty."""
    types = set(model_types)
    by_category: dict[str, list[Fraction]] = {}
    for d in dimensions:
        if d.active:
            by_category.setdefault(d.category, [])
    applicable = []
    for d in dimensions:
        if applies(d, types):
            points = grade_points(grades.get(d.ref))
            by_category[d.category].append(points)
            applicable.append(points)
    return Scores(
        total=_mean(applicable),
        categories={ref: _mean(values) for ref, values in by_category.items()},
    )


def as_percent(score: float | Fraction | None) -> int:
    """A score shown to readers, as upstream does (`Math.round(score * 100)`): a whole percentage,
    halves rounded up, never to even (0.625 -> 63, 0.125 -> 13)."""
    scaled = float(score or 0) * 100
    whole = math.floor(scaled)
    return whole + 1 if scaled - whole >= 0.5 else whole


def fixed4(score: float | Fraction | None) -> str:
    """A score as upstream's CSV writes it (`score.toFixed(4)`): 4 decimals, halves rounded up
    from the exact value of the float (0.03125 -> "0.0313"); "" for no score."""
    if score is None:
        return ""
    return str(Decimal(float(score)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def score_grade(score: float | Fraction | None) -> str:
    """The assessed grade (vocab value) whose points lie nearest to a score of 0–1: with
    open=1, partial=0.5, closed=0 that is open from 0.75, partial from 0.25, closed below (a
    tie goes to the higher grade). Badges colour a total score by it; None counts as 0."""
    value = Fraction(score or 0) if not isinstance(score, float) else Fraction(score).limit_denominator(10**6)
    return min(ASSESSED_GRADES, key=lambda grade: (abs(GRADE_POINTS[grade] - value), -GRADE_POINTS[grade]))
