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
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from curation import vocab
from curation.filters import GRADE_FILTER_PREFIX
from curation.models import AIModel, Assessment, Dimension
from curation.public.as_of import columns_on, rebuild_index, was_public
from curation.public.caching import cache_stamp, remembered_per_data_version, shared_per_data_version
from curation.public.queries import first_recorded_day, grade_legend
from curation.registry import dimension_spec
from curation.scoring import DimensionSpec, applies

log = logging.getLogger(__name__)

# The grades a leaderboard always shows, even when no model has them; the others only when used.
SHOWN_GRADES = vocab.ASSESSED_GRADES
# At most this many points in the share over time: month ends, thinned out evenly when the
# records span more months (the last point is always today).
MAX_POINTS = 12
# A leaderboard lists this many models of each grade by name; the rest are a link away (the index
# filtered by that grade, paginated).
GROUP_SIZE = 100


@dataclass(frozen=True)
class LeaderboardEntry:
    """One model on one dimension: its grade's evidence links and notes as reviewed."""

    model: AIModel
    links: tuple[str, ...]
    notes: str


@dataclass
class GradeGroup:
    """The models with one grade on a dimension: `count` of them in all, the first `entries`
    (by name) shown, and `index_query` when the index's grade filter lists exactly this group."""

    grade: str
    label: str
    symbol: str
    css: str
    entries: list[LeaderboardEntry] = field(default_factory=list)
    count: int = 0
    index_query: str = ""

    @property
    def more(self) -> int:
        """How many of the group's models are not listed on the page."""
        return self.count - len(self.entries)


def readable_dimension(ref: str) -> Dimension | None:
    """The dimension `/dimensions/<ref>/` shows (active or legacy), with its category."""
    return Dimension.objects.select_related("category").filter(ref=ref).first()


def legend_by_grade() -> dict[str, tuple[str, str, str]]:
    """`grade_legend()`'s (label, symbol, css class) by grade value."""
    return {grade.value: entry for grade, entry in zip(vocab.Grade, grade_legend(), strict=True)}


def grade_counts(dimension: Dimension, listed) -> dict[str, int]:
    """{grade: number of models} of the models of `listed` (a queryset) on `dimension`, every
    grade of the vocabulary a key: those without an assessment count as not assessed, grades
    outside the vocabulary as unrecognised. Counted from the dimension's assessments (an index
    scan), the models without one by difference: two queries."""
    counts = {grade.value: 0 for grade in vocab.Grade}
    assessed = dict(
        Assessment.objects.filter(dimension=dimension, ai_model__in=listed.values("pk"))
        .order_by()
        .values_list("grade")
        .annotate(n=Count("pk"))
    )
    for grade, count in assessed.items():
        counts[grade if grade in counts else vocab.Grade.UNRECOGNISED] += count
    counts[vocab.Grade.NOT_ASSESSED] += listed.order_by().count() - sum(assessed.values())
    return counts


@shared_per_data_version("public-type-combinations")
def _public_type_combinations() -> tuple[str, ...]:
    """The distinct `types` values of the public models (each a combination of model types),
    kept for the whole site per data version: one pass over every public model."""
    return tuple(AIModel.objects.public().order_by().values_list("types", flat=True).distinct())


def dimension_leaderboard(dimension: Dimension, per_grade: int = GROUP_SIZE) -> list[GradeGroup]:
    """The public models `dimension` applies to, grouped by their grade on it (vocabulary order:
    open, partial, closed, then not assessed and unrecognised when any model has them): each
    group's count, and its first `per_grade` models by name with their evidence. A model with no
    assessment of the dimension counts as not assessed.

    Counted and paged in the database (a handful of queries, whatever the number of models);
    whether the dimension applies is decided once per combination of model types."""
    spec = dimension_spec(dimension)
    legend = legend_by_grade()
    groups = {grade.value: GradeGroup(grade.value, *legend[grade.value]) for grade in vocab.Grade}
    graded = Assessment.objects.filter(ai_model=OuterRef("pk"), dimension=dimension)
    listed = AIModel.objects.public()
    today = None
    if dimension.is_active:
        combinations = _public_type_combinations()
        listed = listed.filter(types__in=[t for t in combinations if applies(spec, [x for x in t.split(",") if x])])
        # Today's shares count exactly these groups (same models, same grades), and are kept
        # for the whole site per data version: at 100,000 models, counting again here read
        # every assessment of the dimension for each page.
        today = latest_shares().get(dimension.ref)
    else:  # a legacy dimension applies to no model any more: it lists the models graded on it
        listed = listed.filter(Exists(graded))
    counts = today.counts if today is not None and today.in_registry else grade_counts(dimension, listed)
    for grade, count in counts.items():
        groups[grade].count += count
    known = [grade.value for grade in vocab.Grade if grade != vocab.Grade.UNRECOGNISED]
    members_of = {
        vocab.Grade.NOT_ASSESSED.value: listed.exclude(Exists(graded.exclude(grade=vocab.Grade.NOT_ASSESSED))),
        vocab.Grade.UNRECOGNISED.value: listed.filter(Exists(graded.exclude(grade__in=known))),
    }
    for group in groups.values():
        if not group.count:
            continue
        if group.grade in members_of:
            members = members_of[group.grade]
        else:
            members = listed.filter(Exists(graded.filter(grade=group.grade)))
        shown = list(members.select_related("organisation").order_by("name", "id")[:per_grade])
        evidence = {
            a.ai_model_id: a
            for a in Assessment.objects.filter(dimension=dimension, ai_model__in=[m.pk for m in shown]).only(
                "ai_model_id", "links", "notes"
            )
        }
        for model in shown:
            assessment = evidence.get(model.pk)
            group.entries.append(
                LeaderboardEntry(
                    model,
                    tuple(assessment.links or ()) if assessment else (),
                    assessment.notes if assessment else "",
                )
            )
        # The index's grade filter matches assessments of an active dimension: exactly this
        # group for an assessed grade (a model without an assessment has none of those).
        if dimension.is_active and group.grade in SHOWN_GRADES:
            group.index_query = f"{GRADE_FILTER_PREFIX}{dimension.ref}={group.grade}"
    return [g for g in groups.values() if g.grade in SHOWN_GRADES or g.count]


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


def shares_today(refs: list[str], today: datetime.date) -> dict[str, SharePoint]:
    """For each dimension of `refs`, how many public models have each grade on it now (the
    dimensions of today's registry; a model with no grade recorded counts as not assessed), read
    from today's data in two grouped queries, with applicability decided per combination of
    model types: what `shares_over_time` gives for today, without rebuilding anything."""
    specs = _specs_on(today, refs)
    public = AIModel.objects.public().order_by()
    models_per_types = dict(public.values_list("types").annotate(n=Count("pk")))
    graded = (
        Assessment.objects.filter(ai_model__in=public.values("pk"), dimension__ref__in=list(specs))
        .order_by()
        .values_list("ai_model__types", "dimension__ref", "grade")
        .annotate(n=Count("pk"))
    )
    by_types: dict[tuple[str, str], dict[str, int]] = {}
    for types, ref, grade, count in graded:
        by_types.setdefault((types, ref), {})[grade] = count
    points = {}
    for ref in refs:
        counts = {grade.value: 0 for grade in vocab.Grade}
        spec = specs.get(ref)
        if spec is not None:
            for types, models in models_per_types.items():
                if not applies(spec, [t for t in types.split(",") if t]):
                    continue
                grades = by_types.get((types, ref), {})
                for grade, count in grades.items():
                    counts[grade if grade in counts else vocab.Grade.UNRECOGNISED] += count
                counts[vocab.Grade.NOT_ASSESSED] += models - sum(grades.values())
        points[ref] = SharePoint(today, counts, in_registry=spec is not None)
    return points


# The shares of the days before today, as the worker last worked them out: {"version": data
# version, "days": [iso days], "history": {ref: [SharePoint]}}. Kept without expiry, so a page
# always has the latest there is; the worker replaces it after each data change and each day.
PAST_SHARES_KEY = "osai:dimension-shares:past"
PAST_SHARES_LOCK_KEY = "osai:dimension-shares:working"
PAST_SHARES_LOCK_SECONDS = 600


def _past_days(today: datetime.date) -> list[datetime.date]:
    first = first_recorded_day() or today
    return sample_days(first, today)[:-1]


def _stored_past_shares() -> dict | None:
    try:
        return cache.get(PAST_SHARES_KEY)
    except Exception:  # no cache: the caller works them out
        log.warning("dimension shares not read from the cache", exc_info=True)
        return None


def _work_out_and_store(today: datetime.date) -> dict:
    version = cache_stamp()[0]
    days = _past_days(today)
    refs = list(Dimension.objects.values_list("ref", flat=True))
    stored = {"version": version, "days": [d.isoformat() for d in days], "history": shares_over_time(refs, days)}
    try:
        cache.set(PAST_SHARES_KEY, stored, None)
    except Exception:  # served without keeping it
        log.warning("dimension shares not kept in the cache", exc_info=True)
    return stored


def work_out_past_shares(today: datetime.date | None = None) -> bool:
    """The worker's part (after every chart run and sweep): work out every dimension's shares
    on the sampled days before `today` (default: today, UTC) from the rebuilt past index, unless
    those of this data version and these days are stored already, and today's shares
    (`shares_today`) unless kept for this data version. True when it stored new past shares.

    Rebuilding the index once per sampled day is far too slow for a reader's request at scale
    (seconds at thousands of models), so readers only ever read what this stores."""
    today = today or timezone.now().date()
    # Today's point too (kept per data version and day): it groups every grade of every public
    # model, seconds at 100,000 models, which no reader should wait for after a change.
    _shared_shares_today(tuple(Dimension.objects.values_list("ref", flat=True)), today)
    stored = _stored_past_shares()
    wanted_days = [d.isoformat() for d in _past_days(today)]
    if stored is not None and stored.get("version") == cache_stamp()[0] and stored.get("days") == wanted_days:
        return False
    _work_out_and_store(today)
    return True


def past_share_history(today: datetime.date) -> dict[str, list[SharePoint]]:
    """Every dimension's shares on the sampled days before `today` as the worker last stored them
    (possibly of an earlier data version: a change today does not alter past days, and the worker
    is on its way). Nothing stored yet (a new site, an emptied cache): one process works them out
    here under a lock while the others show today's point alone."""
    stored = _stored_past_shares()
    if stored is not None:
        return stored["history"]
    # With the cache unreachable no one leads (the site's cache fails open): today's point only.
    if not cache.add(PAST_SHARES_LOCK_KEY, 1, PAST_SHARES_LOCK_SECONDS):
        return {}
    try:
        return _work_out_and_store(today)["history"]
    finally:
        cache.delete(PAST_SHARES_LOCK_KEY)


@shared_per_data_version("dimension-shares-today")
def _shared_shares_today(refs: tuple[str, ...], today: datetime.date) -> dict[str, SharePoint]:
    """`shares_today`, kept for the whole site per data version and day: it reads every grade
    (seconds at 100,000 models), so one process works it out for all."""
    return shares_today(list(refs), today)


def _share_history(today: datetime.date) -> dict[str, list[SharePoint]]:
    refs = list(Dimension.objects.values_list("ref", flat=True))
    past = past_share_history(today)
    now = _shared_shares_today(tuple(refs), today)
    return {ref: [p for p in past.get(ref, []) if p.day < today] + [now[ref]] for ref in refs}


# Every dimension's page reads the same history: once per data version in each process too.
_share_history_of_every_dimension = remembered_per_data_version(_share_history)


def dimension_share_history(ref: str) -> list[SharePoint]:
    """The share of each grade on dimension `ref` on the days of `sample_days` from the first
    recorded day to today: the past days as the worker stored them (`work_out_past_shares`),
    today's point from today's data (`shares_today`). Once per data version in each process."""
    return _share_history_of_every_dimension(timezone.now().date()).get(ref, [])


def latest_shares() -> dict[str, SharePoint]:
    """Today's point of `dimension_share_history` for every dimension, by ref."""
    history = _share_history_of_every_dimension(timezone.now().date())
    return {ref: points[-1] for ref, points in history.items() if points}
