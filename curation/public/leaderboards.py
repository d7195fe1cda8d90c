"""Leaderboards per openness dimension: which models are open, partial or closed on one
dimension, with their evidence, and how the shares of each grade moved over time.

The grades are today's reviewed assessments of the public models the dimension applies to.
The shares over time are counted on the index as it stood at the end of each sampled day, rebuilt
from the history of applied changes by curation.public.as_of (the same reconstruction as the
index's `?as_of=`), with the dimension registry of that day deciding which models it applied to.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from curation import vocab
from curation.models import AIModel, Assessment, Dimension
from curation.public.as_of import columns_on, rebuild_index, was_public
from curation.public.caching import PAGE_CACHE_SECONDS, cache_stamp, remembered_per_data_version
from curation.public.queries import first_recorded_day, grade_legend
from curation.registry import dimension_spec
from curation.scoring import DimensionSpec, applies

log = logging.getLogger(__name__)

# The grades a leaderboard always shows, even when no model has them; the others only when used.
SHOWN_GRADES = vocab.ASSESSED_GRADES
# At most this many points in the share over time: month ends, thinned out evenly when the
# records span more months (the last point is always today).
MAX_POINTS = 12


@dataclass(frozen=True)
class LeaderboardEntry:
    """One model on one dimension: its grade's evidence links and notes as reviewed."""

    model: AIModel
    links: tuple[str, ...]
    notes: str


@dataclass
class GradeGroup:
    grade: str
    label: str
    symbol: str
    css: str
    entries: list[LeaderboardEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.entries)


def readable_dimension(ref: str) -> Dimension | None:
    """The dimension `/dimensions/<ref>/` shows (active or legacy), with its category."""
    return Dimension.objects.select_related("category").filter(ref=ref).first()


def legend_by_grade() -> dict[str, tuple[str, str, str]]:
    """`grade_legend()`'s (label, symbol, css class) by grade value."""
    return {grade.value: entry for grade, entry in zip(vocab.Grade, grade_legend(), strict=True)}


def dimension_leaderboard(dimension: Dimension) -> list[GradeGroup]:
    """The public models `dimension` applies to, grouped by their grade on it (vocabulary order:
    open, partial, closed, then not assessed and unrecognised when any model has them), each
    group by name. A model with no assessment of the dimension counts as not assessed."""
    spec = dimension_spec(dimension)
    legend = legend_by_grade()
    groups = {grade.value: GradeGroup(grade.value, *legend[grade.value]) for grade in vocab.Grade}
    public = AIModel.objects.public().select_related("organisation").order_by("name", "id")
    assessments = {
        a.ai_model_id: a
        for a in Assessment.objects.filter(dimension=dimension, ai_model__in=public.values("pk")).only(
            "ai_model_id", "grade", "links", "notes"
        )
    }
    # A legacy dimension applies to no model any more: it lists the models graded on it.
    models = [m for m in public if (applies(spec, m.type_list) if dimension.is_active else m.pk in assessments)]
    for model in models:
        assessment = assessments.get(model.pk)
        grade = assessment.grade if assessment else vocab.Grade.NOT_ASSESSED
        groups.get(grade, groups[vocab.Grade.UNRECOGNISED]).entries.append(
            LeaderboardEntry(
                model,
                tuple(assessment.links or ()) if assessment else (),
                assessment.notes if assessment else "",
            )
        )
    return [g for g in groups.values() if g.grade in SHOWN_GRADES or g.entries]


@dataclass(frozen=True)
class SharePoint:
    """The grades on one dimension of the public models it applied to at the end of `day`.

    `counts` maps every grade of the vocabulary to a number of models; `in_registry` is False
    when the dimension was not in that day's registry (then every count is 0)."""

    day: datetime.date
    counts: dict[str, int]
    in_registry: bool = True

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percent(self, grade: str) -> float:
        """The grade's share in percent (0 when no model counted), unrounded."""
        return 100.0 * self.counts.get(grade, 0) / self.total if self.total else 0.0


def sample_days(first: datetime.date, last: datetime.date, max_points: int = MAX_POINTS) -> list[datetime.date]:
    """Month ends from `first`'s month to before `last`'s, then `last` itself, thinned to at most
    `max_points` days by keeping every n-th month end counted back from `last`."""
    if last < first:
        return [last]
    month_ends = []
    year, month = first.year, first.month
    while (year, month) < (last.year, last.month):
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        month_ends.append(following - datetime.timedelta(days=1))
        year, month = following.year, following.month
    step = max(1, -(-(len(month_ends) + 1) // max_points))  # ceiling division
    kept = month_ends[::-1][step - 1 :: step][::-1] if step > 1 else month_ends
    return [*kept, last][-max_points:]


def _specs_on(day: datetime.date, refs: list[str]) -> dict[str, DimensionSpec]:
    """The dimensions among `refs` in the registry of `day`, with the types they applied to."""
    return {
        dimension.ref: DimensionSpec(ref=dimension.ref, category="", types=frozenset(dimension.applicable_type_list))
        for dimension in columns_on(day).dimensions
        if dimension.ref in refs
    }


def shares_over_time(refs: list[str], days: list[datetime.date]) -> dict[str, list[SharePoint]]:
    """For each dimension of `refs` and each of `days` (oldest first), how many public models had
    each grade on it at the end of that day; a model with no grade recorded on it counts as not
    assessed. Source: the index rebuilt from history (curation.public.as_of.rebuild_index), once
    per day for all the dimensions."""
    points: dict[str, list[SharePoint]] = {ref: [] for ref in refs}
    for day in days:
        specs = _specs_on(day, refs)
        counts = {ref: {grade.value: 0 for grade in vocab.Grade} for ref in refs}
        if specs:
            # Which dimensions apply, worked out once per combination of types rather than per model.
            applicable: dict[str, list[str]] = {}
            for past in rebuild_index(day):
                if not was_public(past):
                    continue
                types = past.model.types or ""
                refs_here = applicable.get(types)
                if refs_here is None:
                    type_list = past.model.type_list
                    refs_here = applicable[types] = [ref for ref, spec in specs.items() if applies(spec, type_list)]
                grades = past.grades
                for ref in refs_here:
                    grade = grades.get(ref) or vocab.Grade.NOT_ASSESSED
                    counts[ref][grade if grade in counts[ref] else vocab.Grade.UNRECOGNISED] += 1
        for ref in refs:
            points[ref].append(SharePoint(day, counts[ref], in_registry=ref in specs))
    return points


def grade_shares_over_time(ref: str, days: list[datetime.date]) -> list[SharePoint]:
    """`shares_over_time` of one dimension."""
    return shares_over_time([ref], days)[ref]


def shared_share_history(today: datetime.date) -> dict[str, list[SharePoint]]:
    """Every dimension's share over time up to `today`, kept in the shared cache per data version
    and cache generation, so that one process works it out for all (a miss costs a rebuild of the
    index per sampled day). Worked out here when the cache is unreachable."""
    version, generation = cache_stamp()
    key = f"osai:dimension-shares:{generation}:{version}:{today.isoformat()}"
    try:
        stored = cache.get(key)
    except Exception:  # no cache: work it out below
        log.warning("dimension shares not read from the cache", exc_info=True)
        stored = None
    if stored is not None:
        return stored
    first = first_recorded_day() or today
    refs = list(Dimension.objects.values_list("ref", flat=True))
    history = shares_over_time(refs, sample_days(first, today))
    try:
        cache.set(key, history, PAGE_CACHE_SECONDS)
    except Exception:  # served without keeping it; the next miss works it out again
        log.warning("dimension shares not kept in the cache", exc_info=True)
    return history


# Every dimension's page reads the same rebuilt days: once per data version in each process too.
_share_history_of_every_dimension = remembered_per_data_version(shared_share_history)


def dimension_share_history(ref: str) -> list[SharePoint]:
    """The share of each grade on dimension `ref` at `sample_days` from the first recorded day to
    today (`shares_over_time`), for every dimension at once and once per data version."""
    return _share_history_of_every_dimension(timezone.now().date()).get(ref, [])


def latest_shares() -> dict[str, SharePoint]:
    """Today's point of `dimension_share_history` for every dimension, by ref."""
    history = _share_history_of_every_dimension(timezone.now().date())
    return {ref: points[-1] for ref, points in history.items() if points}
