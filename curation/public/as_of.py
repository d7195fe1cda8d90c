"""The index as it stood on a past date: read from the model periods, else rebuilt from the
history of applied changes.

Once the worker has written the index's models over time for the current data version
(`curation.models.ModelPeriod`, see curation.public.model_periods: one row per model per period
over which what the index shows of it stayed the same, scored under the registry then), a past
index of any date or moment is a query on them (`periods_valid_at`), filtered and ordered in SQL
with the semantics of `_matches` and `_sort` (`_period_filtered`, `_period_ordering`), counted
and paged by the database, display rows built only for the page (`PeriodRows`). What follows is
how a past index is made without them (just after a data change, until the worker has written
the periods, or for a caller showing other columns than the date's registry); the periods are
written by the same functions (`_today`, `_undo`, `scores_of`, `columns_of`), so that both give
the same rows.

Start from today's models and organisations, drop models created after the date, then undo,
newest first, every `HistoryEntry` applied after the end of that day: a field goes back to its
`before` value, a deletion brings the model back from its snapshot (snapshots carry no creation
date, so a deleted model is assumed to have existed from the day the site's records begin). Scores are recomputed with
the pure score formula over the dimension registry of that date (curation.models.RegistryVersion,
see `columns_on`). Filters and ordering are the shared `AIModelFilter`'s, validated by its form and
applied to the rebuilt models in memory.

Only the models something was recorded about since the date need rebuilding; the others stand as
today. `filtered_index_as_of` therefore lets the database filter, order, count and page those
(`PastQueryRows` when only additions happened since, else `PastOverlayRows`, which merges in
the few changed models, rebuilt and sorted in memory), so that work grows with the changes since
the date, not with the index. The whole index is rebuilt in memory (`PastRows`) only with another
dimension registry that day (every score to recompute) or more than `MERGE_MAX_CHANGED` models
changed since. A rebuild reads models with only the columns readers see, grades and category
scores as one joined text per model (`curation.assessments.joined_pairs_by_model`, parsed only
for models whose grades are needed), and display rows (`IndexRow` with its cells) are built only
for the rows of the page shown.

Such a rebuild (and the merge's, with many changed models) is heavy, and any reader can ask for a
new date: its result is kept as compact plain rows per date and data version, and only one heavy
rebuild runs at a time on the site (curation.public.past_builds); a reader of another date not
built yet meanwhile is refused with `PastIndexBeingPrepared`.
"""

from __future__ import annotations

import bisect
import copy
import datetime
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cmp_to_key, partial
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import CharField, F, FloatField, Q
from django.db.models.base import ModelState
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, Collate
from django.utils import timezone

from curation import vocab
from curation.adoption.figures import FIGURE_FIELDS
from curation.assessments import join_pairs, joined_pairs_by_model, split_pairs
from curation.filters import (
    CATEGORY_ORDER_PREFIX,
    DIMENSION_ORDER_PREFIX,
    GRADE_FILTER_PREFIX,
    AIModelFilter,
)
from curation.models import (
    AIModel,
    Assessment,
    CategoryScore,
    DataChange,
    Dimension,
    DimensionCategory,
    HistoryEntry,
    ModelPeriod,
    ModelPeriodsWritten,
    Organisation,
    RegistryVersion,
)
from curation.public.caching import remembered_per_data_version
from curation.public.downloads import rows_of
from curation.public.pagination import index_count, narrows
from curation.public.past_builds import built_once, paused_collection
from curation.public.queries import (
    Columns,
    GradeCell,
    IndexRow,
    build_rows,
    filtered_index,
    first_recorded_day,
    registry_columns,
)
from curation.registry import registry_version_data, registry_version_on
from curation.releases import latest_data_version
from curation.review.fields import ASSESSMENT_PREFIX
from curation.scoring import applies, compute_scores


def parse_as_of(raw: str | None) -> datetime.date | None:
    """The `as_of` parameter (YYYY-MM-DD) as a date; None when empty.

    Raises ValueError with a message naming the parameter: not a date, or after today (one day
    of slack for readers ahead of UTC; there is no history of the future)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"“{raw}” is not a date: as_of expects YYYY-MM-DD, e.g. 2025-01-31.") from None
    if day > timezone.now().date() + datetime.timedelta(days=1):
        raise ValueError(f"as_of={raw} is in the future: the index can be shown as it stood up to today.")
    return day


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` (UTC): changes from then on had not happened yet. A
    datetime (a data release's moment, curation.public.pinning) is that instant itself."""
    if isinstance(day, datetime.datetime):
        return day
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC)


class PastModel:
    """A model as it stood on a past date: an unsaved copy carrying the past values, and its
    grades ({dimension ref: grade}) and stored category scores ({category ref: score}), parsed
    from the database's joined text when first asked for.

    One read back from a kept rebuild (`_from_compact`) holds its plain values and makes its
    model copy only when `model` is first read: filtering and sorting a whole past index read
    `value` and `organisation`, so only the rows of the page shown become models."""

    __slots__ = (
        "_categories",
        "_extra",
        "_grades",
        "_model",
        "_names",
        "_organisation",
        "_raw_categories",
        "_raw_grades",
        "_values",
        "category_scores",
        "exists_today",
        "rescore",
    )

    def __init__(
        self,
        model: AIModel | None,
        grades: dict | None = None,
        *,
        exists_today: bool = True,
        rescore: bool = False,
        raw_grades: str | None = None,
        raw_categories: str | None = None,
        names: tuple[dict, dict] | None = None,
    ):
        self._model: AIModel | None = model
        self._values: tuple = ()
        self._extra: dict | None = None
        self._organisation: Organisation | None = None
        self.exists_today = exists_today
        # False while grades and types are today's: the stored scores are then still right.
        self.rescore = rescore
        self._raw_grades, self._raw_categories = raw_grades, raw_categories
        self._names = names or ({}, {})  # ({dimension id: ref}, {category id: ref})
        self._grades = grades
        self._categories = None if raw_categories is not None else {}
        self.category_scores: list[float | None] | None = None  # in the columns' order, once scored

    @property
    def model(self) -> AIModel:
        model = self._model
        if model is None:
            model = self._model = AIModel.__new__(AIModel)
            model._state = ModelState()
            model._state.adding = False
            model.__dict__.update(zip(_ATTNAMES, self._values, strict=True))
            if self._extra:
                model.__dict__.update(self._extra)
            # As the rebuild left it: the organisation's id as recorded, the organisation (or None) cached.
            model._state.fields_cache["organisation"] = self._organisation
        return model

    def value(self, attname: str) -> Any:
        """The value of one of the model's read columns (`_ATTNAMES`), without making the model."""
        if self._model is None:
            return self._values[_POSITIONS[attname]]
        return self._model.__dict__[attname]

    @property
    def organisation(self) -> Organisation | None:
        return self._organisation if self._model is None else self._model.organisation

    @property
    def type_list(self) -> list[str]:
        return [t for t in (self.value("types") or "").split(",") if t]

    @property
    def grades(self) -> dict[str, str]:
        if self._grades is None:
            refs = self._names[0]
            self._grades = {refs[k]: v for k, v in split_pairs(self._raw_grades) if k in refs}
        return self._grades

    @property
    def stored_categories(self) -> dict[str, float]:
        if self._categories is None:
            refs = self._names[1]
            self._categories = {refs[k]: float(v) for k, v in split_pairs(self._raw_categories) if k in refs}
        return self._categories


class RecordedChange(NamedTuple):
    """What undoing a `HistoryEntry` reads of it, as a plain row: at 100,000 entries, model
    instances cost more than the query."""

    applied_at: datetime.datetime
    ai_model_id: int | None
    organisation_id: int | None
    target_label: str
    field: str
    before: Any


def _restore_organisation(org: Organisation, entry: HistoryEntry | RecordedChange) -> None:
    before = entry.before
    if entry.field == "national_origin" and isinstance(before, dict):
        org.origin_scope = before.get("scope") or vocab.OriginScope.UNKNOWN
        org.country = before.get("country") or ""
        org.region = vocab.region_for(org.origin_scope, org.country.code if org.country else "")
    elif entry.field == "contributor_type" and isinstance(before, dict):
        org.sector = before.get("sector") or ""
        org.contributor_kind = before.get("kind") or ""
        org.big_tech_bloc = before.get("bloc") or vocab.BigTechBloc.NONE
    elif entry.field == "is_public" and isinstance(before, bool):
        org.is_public = before
    elif entry.field == "details" and isinstance(before, dict):
        for key in ("name", "link"):
            if key in before:
                setattr(org, key, before[key] or "")


_TEXT_ATTRS = {"name", "link", "base_model_name", "end_model_name", "end_model_licence", "notes", "upstream_filename"}


def _restore_model(
    past: PastModel, entry: HistoryEntry | RecordedChange, organisations: dict[int, Organisation]
) -> None:
    model, before = past.model, entry.before
    name = entry.field
    if name.startswith(ASSESSMENT_PREFIX):
        ref = name[len(ASSESSMENT_PREFIX) :]
        past.grades[ref] = (before or {}).get("grade") or vocab.Grade.NOT_ASSESSED
        past.rescore = True
    elif name == "performance_class":
        model.performance_class = before or ""
    elif name == "types":
        values = before if isinstance(before, list) else str(before or "").split(",")
        model.types = ",".join(v for v in vocab.ModelType.values if v in values)
        past.rescore = True
    elif name == "organisation":
        org_id = before.get("id") if isinstance(before, dict) else before
        model.organisation_id = org_id
        model.organisation = organisations.get(org_id)
    elif name == "national_origin":  # the model's own; None: as its organisation
        model.set_own_origin(before if isinstance(before, dict) else None)
    elif name == "contributor_type":
        model.set_own_contributor(before if isinstance(before, dict) else None)
    elif name == "is_public" and isinstance(before, bool):
        model.is_public = before
    elif name in _TEXT_ATTRS:  # recorded field by field by the importer
        setattr(model, name, before or "")
    elif name == "release_date":
        model.release_date = datetime.date.fromisoformat(before) if before else None
    elif name == "details" and isinstance(before, dict):
        for key in ("name", "link", "base_model_name", "end_model_name", "end_model_licence", "notes"):
            if key in before:
                setattr(model, key, before[key] or "")
        if "release_date" in before:
            raw = before["release_date"]
            model.release_date = datetime.date.fromisoformat(raw) if raw else None


def _from_snapshot(entry: HistoryEntry | RecordedChange, organisations: dict[int, Organisation]) -> PastModel | None:
    """A model deleted after the date, rebuilt from the snapshot its deletion recorded."""
    snapshot = entry.before if isinstance(entry.before, dict) else None
    if not snapshot:
        return None
    org = snapshot.get("organisation")
    org_id = org.get("id") if isinstance(org, dict) else None
    types = snapshot.get("types") or []
    model = AIModel(
        name=entry.target_label,
        slug="",
        types=",".join(v for v in vocab.ModelType.values if v in types),
        performance_class=snapshot.get("performance_class") or "",
        is_public=bool(snapshot.get("is_public", True)),
        organisation_id=org_id,
    )
    model.organisation = organisations.get(org_id)
    own_origin, own_contributor = snapshot.get("national_origin"), snapshot.get("contributor_type")
    model.set_own_origin(own_origin if isinstance(own_origin, dict) else None)
    model.set_own_contributor(own_contributor if isinstance(own_contributor, dict) else None)
    grades = {
        key[len(ASSESSMENT_PREFIX) :]: (value or {}).get("grade") or vocab.Grade.NOT_ASSESSED
        for key, value in snapshot.items()
        if key.startswith(ASSESSMENT_PREFIX)
    }
    return PastModel(model, grades, exists_today=False, rescore=True)


# What the index shows and filters on; the rest (notes, upstream extras, tags) stays in the database.
_MODEL_FIELDS = (
    "name",
    "slug",
    "link",
    "types",
    "performance_class",
    "base_model_name",
    "end_model_name",
    "end_model_licence",
    "release_date",
    "release_date_precision",
    "organisation",
    "own_origin_scope",
    "own_country",
    "own_region",
    "own_sector",
    "own_contributor_kind",
    "own_big_tech_bloc",
    "upstream_filename",
    "total_score",
    "is_public",
    "created_at",
    "hf_downloads",
    "hf_downloads_all_time",
    "hf_likes",
    "hf_read_on",
)


_ATTNAMES = ("id", *tuple(AIModel._meta.get_field(name).attname for name in _MODEL_FIELDS))
_POSITIONS = {name: position for position, name in enumerate(_ATTNAMES)}
# The model's values a period of it keeps (curation.models.ModelPeriod): what the index reads,
# less its id (`model_id` there) and today's adoption figures.
PERIOD_MODEL_FIELDS = tuple(name for name in _ATTNAMES if name != "id" and name not in FIGURE_FIELDS)


def _plain_models(queryset):
    """Unsaved-state AIModel copies from plain rows of `queryset`, with only `_MODEL_FIELDS` set
    (the others stay deferred): filled directly rather than through Model.__init__, which at
    100,000 models costs more than the query."""
    for values in queryset.values_list(*_ATTNAMES).iterator(chunk_size=2000):
        model = AIModel.__new__(AIModel)
        model._state = ModelState()
        model._state.adding, model._state.db = False, queryset.db
        model.__dict__.update(zip(_ATTNAMES, values, strict=True))
        yield model


def _registry_names() -> tuple[dict[int, str], dict[int, str]]:
    """({dimension id: ref}, {category id: ref}): how `PastModel` reads joined grades and scores."""
    return (
        dict(Dimension.objects.values_list("pk", "ref")),
        dict(DimensionCategory.objects.values_list("pk", "ref")),
    )


def _consumed(pasts: list[PastModel]) -> Iterator[PastModel]:
    """The items of `pasts` in order, each dropped from the list as it is given: a whole past
    index is let go model by model while it is made into something else, not held twice."""
    pasts.reverse()
    while pasts:
        yield pasts.pop()


def _compact(pasts: Iterable[PastModel]) -> dict:
    """Past models as plain rows to keep (curation.public.past_builds): per model its values
    (`_ATTNAMES`, and every other field of one rebuilt from a deletion's snapshot, which has no
    row to read them from), its grades and scores as joined text (`join_pairs`, dimensions by id,
    those no longer in the registry by a negative number) unless already scored, and its
    organisation's id; each organisation's fields once. Text rather than a dict per model: a
    whole index of dicts would weigh several times as much, and most rows are never parsed."""
    dimension_refs, category_refs = (dict(found) for found in _registry_names())
    dimension_ids = {ref: pk for pk, ref in dimension_refs.items()}
    organisations: dict[int, dict] = {}
    rows = []
    for past in pasts:
        model, org = past.model, past.model.organisation
        if org is not None and org.pk not in organisations:
            organisations[org.pk] = {k: v for k, v in org.__dict__.items() if not k.startswith("_")}
        values = model.__dict__
        extra = None
        if model.pk is None:
            extra = {k: v for k, v in values.items() if not k.startswith("_") and k not in _ATTNAMES}
        raw_grades = past._raw_grades
        if past._grades is not None:
            for ref in past._grades:
                if ref not in dimension_ids:
                    dimension_ids[ref] = -len(dimension_ids) - 1
                    dimension_refs[dimension_ids[ref]] = ref
            raw_grades = join_pairs((dimension_ids[ref], grade) for ref, grade in past._grades.items())
        rows.append(
            (
                tuple(values.get(name) for name in _ATTNAMES),
                extra,
                None if org is None else org.pk,
                past.exists_today,
                past.rescore,
                raw_grades or "",
                past._categories,
                past._raw_categories if past._categories is None else None,
                past.category_scores,
            )
        )
    return {"names": (dimension_refs, category_refs), "organisations": organisations, "rows": rows}


def _from_compact(kept: dict) -> list[PastModel]:
    """The past models `_compact` kept, each making its model copy only when read (no query)."""
    with paused_collection():  # many objects made, none of them garbage
        organisations = {}
        for pk, values in kept["organisations"].items():
            org = Organisation.__new__(Organisation)
            org._state = ModelState()
            org._state.adding = False
            org.__dict__.update(values)
            organisations[pk] = org
        names = kept["names"]
        pasts = []
        for values, extra, org_id, exists_today, rescore, raw_grades, categories, raw_categories, scores in kept[
            "rows"
        ]:
            past = PastModel(None, exists_today=exists_today, rescore=rescore, raw_grades=raw_grades, names=names)
            past._values, past._extra, past._organisation = values, extra, organisations.get(org_id)
            past._categories, past._raw_categories, past.category_scores = categories, raw_categories, scores
            pasts.append(past)
        return pasts


def rebuild_index(as_of: datetime.date) -> list[PastModel]:
    """Every model as it stood at the end of `as_of`, public or not (a fixed number of queries)."""
    cutoff = end_of_day(as_of)
    models = AIModel.objects.filter(created_at__lt=cutoff)
    later = HistoryEntry.objects.filter(applied_at__gte=cutoff)
    return _rebuild(as_of, models, later)


def _organisation_named(entry: HistoryEntry | RecordedChange) -> int | None:
    """The id of the organisation an entry's `before` names (a model's former organisation, a
    deleted model's), if any."""
    before = entry.before
    if entry.field == "organisation":
        return before.get("id") if isinstance(before, dict) else before
    if entry.field == "deleted" and isinstance(before, dict) and isinstance(before.get("organisation"), dict):
        return before["organisation"].get("id")
    return None


def _rebuild(as_of: datetime.date, models, later, *, every_organisation: bool = True) -> list[PastModel]:
    """The models of `models` (created before the end of `as_of`) as they stood then, undoing
    the entries of `later` (applied after it) newest first; with the models deleted since,
    rebuilt from the snapshots among `later`. A fixed number of queries. Without
    `every_organisation`, only the organisations these models and entries name are read."""
    past, organisations, entries = _today(models, later, every_organisation=every_organisation)
    created_later: set[str] = set()
    revived: list[PastModel] = []
    for entry in entries:
        _undo(entry, past, organisations, created_later, revived)
    # A deletion snapshot does not say when the model was added. Within the site's records a
    # deleted model is taken to have existed; before the records begin, nothing did.
    if not _revived_then(end_of_day(as_of), first_recorded_day()):
        revived = []
    return list(past.values()) + revived


def _revived_then(cutoff: datetime.datetime, first_day: datetime.date | None) -> bool:
    """Whether models rebuilt from deletion snapshots belong to the index at `cutoff` (the end of
    a day, or a moment): only from the day the site's records begin."""
    return first_day is not None and cutoff > end_of_day(first_day) - datetime.timedelta(days=1)


def _today(
    models, later, *, every_organisation: bool = True
) -> tuple[dict[int, PastModel], dict[int, Organisation], list[RecordedChange]]:
    """Where a rebuild starts: ({model id: the model of `models` as today}, {organisation id:
    a copy of the organisation as today}, the entries of `later` newest first). Three queries
    for the models, their grades and stored scores, one for the entries, one for organisations
    (without `every_organisation`, only those the models and entries name)."""
    names = _registry_names()
    ids = models.order_by().values("pk")
    # Grades and category scores as one joined text per model: no row per grade, no objects.
    grades = joined_pairs_by_model(Assessment.objects.filter(ai_model__in=ids), "dimension_id", "grade")
    stored = joined_pairs_by_model(CategoryScore.objects.filter(ai_model__in=ids), "category_id", "score")
    entries = [
        RecordedChange(*values)
        for values in later.order_by("-applied_at", "-id").values_list(*RecordedChange._fields).iterator(2000)
    ]
    plain = list(_plain_models(models))
    if every_organisation:
        found = Organisation.objects.all()
    else:
        wanted = {m.organisation_id for m in plain} | {e.organisation_id for e in entries}
        wanted |= {_organisation_named(e) for e in entries}
        found = Organisation.objects.filter(pk__in=[pk for pk in wanted if isinstance(pk, int)])
    organisations = {o.pk: copy.copy(o) for o in found}
    past: dict[int, PastModel] = {}
    for model in plain:
        model.organisation = organisations.get(model.organisation_id)
        for name in FIGURE_FIELDS:  # today's adoption figures are no part of a past index
            setattr(model, name, None)
        past[model.pk] = PastModel(
            model,
            raw_grades=grades.pop(model.pk, ""),
            raw_categories=stored.pop(model.pk, ""),
            names=names,
        )
    return past, organisations, entries


def _undo(
    entry: RecordedChange,
    past: dict[int, PastModel],
    organisations: dict[int, Organisation],
    created_later: set[str],
    revived: list[PastModel],
) -> tuple[str, Any] | None:
    """Undo one entry (entries go newest first) on the rebuild's state: `past` and
    `organisations` as `_today` made them, the names of models added after the entries undone
    so far (`created_later`, filled here) and the models rebuilt from deletions (`revived`,
    appended to). Returns what it touched: ("created", model id) for a model that did not exist
    yet (dropped from `past`), ("organisation", id), ("model", id), ("revived", the past model
    appended), or None."""
    if entry.field == "created":
        created_later.add(entry.target_label)
        if entry.ai_model_id:
            past.pop(entry.ai_model_id, None)
            return "created", entry.ai_model_id
        return None
    if entry.organisation_id and entry.organisation_id in organisations:
        _restore_organisation(organisations[entry.organisation_id], entry)
        return "organisation", entry.organisation_id
    if entry.ai_model_id and entry.ai_model_id in past:
        _restore_model(past[entry.ai_model_id], entry, organisations)
        return "model", entry.ai_model_id
    if entry.field == "deleted" and not entry.ai_model_id and not entry.organisation_id:
        rebuilt = _from_snapshot(entry, organisations)
        if rebuilt and entry.target_label not in created_later:
            revived.append(rebuilt)
            return "revived", rebuilt
    return None


def public_models_on(as_of: datetime.date) -> list[AIModel]:
    """The models readers saw at the end of `as_of` (unsaved copies with that day's values,
    organisations included), in no particular order."""
    return [past.model for past in rebuild_index(as_of) if was_public(past)]


def was_public(past: PastModel) -> bool:
    """Whether readers saw `past` that day: the model and its organisation were public."""
    org = past.model.organisation
    return past.model.is_public and (org is None or org.is_public)


def _score(past: PastModel, columns: Columns, specs: list) -> None:
    """Set the past model's total (on its model copy) and category scores, in the columns' order."""
    total, past.category_scores = scores_of(past, columns, specs, rescore=past.rescore)
    if past.rescore:
        past.model.total_score = total


def scores_of(past: PastModel, columns: Columns, specs: list, *, rescore: bool) -> tuple[float, list[float | None]]:
    """(total, [category score or None in the columns' order]) of a past model, changing
    nothing: computed from its grades and types under `specs` when `rescore`, else today's
    stored scores (which hold while nothing they depend on changed)."""
    if rescore:
        scores = compute_scores(specs, past.model.type_list, past.grades)
        total, _ = scores.as_floats()
        return total, [
            None if scores.categories.get(c.ref) is None else float(scores.categories[c.ref])
            for c in columns.categories
        ]
    stored = past.stored_categories
    return past.model.total_score, [stored.get(c.ref) for c in columns.categories]


def _row(past: PastModel, columns: Columns, specs: list, shared: dict | None = None) -> IndexRow:
    """The display row of a past model. With `shared` ({(position, grade): cell}), equal cells
    are made once and shared between rows, as `downloads.rows_of` does for a whole index."""
    if past.category_scores is None:
        _score(past, columns, specs)
    types = past.model.type_list
    grades = past.grades
    if shared is None:
        cells = [
            GradeCell(d, grades.get(d.ref, vocab.Grade.NOT_ASSESSED) if applies(spec, types) else None)
            for d, spec in zip(columns.dimensions, specs, strict=True)
        ]
        return IndexRow(past.model, cells, past.category_scores)
    cells = []
    for position, (d, spec) in enumerate(zip(columns.dimensions, specs, strict=True)):
        key = (position, grades.get(d.ref, vocab.Grade.NOT_ASSESSED) if applies(spec, types) else None)
        cell = shared.get(key)
        if cell is None:
            cell = shared[key] = GradeCell(d, key[1])
        cells.append(cell)
    return IndexRow(past.model, cells, past.category_scores)


class PastRows(Sequence):
    """The filtered, ordered past models as index rows, each built when it is read: a page of 50
    builds 50 rows, whatever the size of the index."""

    def __init__(self, pasts: list[PastModel], columns: Columns, specs: list):
        self._pasts, self._columns, self._specs = pasts, columns, specs

    def __len__(self) -> int:
        return len(self._pasts)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_row(past, self._columns, self._specs) for past in self._pasts[index]]
        return _row(self._pasts[index], self._columns, self._specs)


_CLASSIFICATION_PARAMETERS = {"country": "country", "region": "region", "sector": "sector", "bloc": "big_tech_bloc"}


# The cleaned values `_matches` reads besides the grade filters: with none of them set, every
# past model matches (a whole index is then not walked model by model).
_FILTER_PARAMETERS = (
    "q",
    "type",
    "performance_class",
    "organisation",
    *_CLASSIFICATION_PARAMETERS,
    "base_model",
    "released_from",
    "released_to",
)


def _filtered(pasts: list[PastModel], cleaned: dict) -> list[PastModel]:
    """The past models of `pasts` that the cleaned filters keep (`_matches`)."""
    if not any(cleaned.get(name) for name in _FILTER_PARAMETERS) and not _grade_filters(cleaned):
        return pasts
    return [past for past in pasts if _matches(past, cleaned)]


def _matches(past: PastModel, cleaned: dict) -> bool:
    # Plain values (`PastModel.value`): a past model read back from a kept rebuild makes its
    # model copy only when a classification filter needs its method.
    value, org = past.value, past.organisation
    text = (cleaned.get("q") or "").strip().lower()
    if text and not any(
        text in (found or "").lower()
        for found in (value("name"), org.name if org else "", value("base_model_name"), value("end_model_name"))
    ):
        return False
    if cleaned.get("type") and not set(cleaned["type"]) & set(past.type_list):
        return False
    if cleaned.get("performance_class") and value("performance_class") not in cleaned["performance_class"]:
        return False
    wanted = (cleaned.get("organisation") or "").strip()
    # The organisation's slug, or its full name in any case (AIModelFilter.filter_organisation).
    if wanted and not (org and (org.slug == wanted or org.name.lower() == wanted.lower())):
        return False
    # The model's effective classification (its own, else its organisation's), as the live filters.
    if any(cleaned.get(param) for param in _CLASSIFICATION_PARAMETERS):
        effective = past.model.classification()
        for param, attr in _CLASSIFICATION_PARAMETERS.items():
            wanted = cleaned.get(param)
            if wanted and str(getattr(effective, attr) or "") != str(wanted):
                return False
    if cleaned.get("base_model") and cleaned["base_model"].lower() not in (value("base_model_name") or "").lower():
        return False
    released = value("release_date")
    if cleaned.get("released_from") and (not released or released < cleaned["released_from"][0]):
        return False
    if cleaned.get("released_to") and (not released or released > cleaned["released_to"][1]):
        return False
    for ref, grades in _grade_filters(cleaned):
        if ref not in past.grades or past.grades[ref] not in grades:
            return False
    return True


def _grade_filters(cleaned: dict) -> list[tuple[str, list]]:
    """[(dimension ref, grades wanted)] of the cleaned filters, worked out once per request."""
    found = cleaned.get("__grade_filters")
    if found is None:
        found = [
            (name[len(GRADE_FILTER_PREFIX) :], grades)
            for name, grades in cleaned.items()
            if name.startswith(GRADE_FILTER_PREFIX) and grades
        ]
        cleaned["__grade_filters"] = found
    return found


# The index's orderings that read one attribute of the model ({ordering name: sort key}).
_MODEL_SORT_KEYS: dict[str, Callable[[PastModel], Any]] = {
    "total": lambda p: p.value("total_score"),
    "name": lambda p: p.value("name").lower(),
    "released": lambda p: p.value("release_date"),
    "organisation": lambda p: p.organisation.name.lower() if p.organisation else None,
    "type": lambda p: p.value("types"),
    "performance_class": lambda p: p.value("performance_class"),
}


def _sort_keys(
    ordering: list[str] | None, columns: Columns, specs: list
) -> list[tuple[Callable[[PastModel], Any], bool]]:
    """Each chosen ordering of the index (default: total, descending) as (the value of a past
    model it sorts by, None when it has none; descending), in order. Unknown names are left out."""
    category_pos = {f"{CATEGORY_ORDER_PREFIX}{c.ref}": i for i, c in enumerate(columns.categories)}
    dimension_pos = {f"{DIMENSION_ORDER_PREFIX}{d.ref}": i for i, d in enumerate(columns.dimensions)}
    keys: list[tuple[Callable[[PastModel], Any], bool]] = []
    for key in [k for k in (ordering or []) if k] or ["-total"]:
        descending, name = key.startswith("-"), key.lstrip("-")
        value: Callable[[PastModel], Any]
        if name in _MODEL_SORT_KEYS:
            value = _MODEL_SORT_KEYS[name]
        elif name in category_pos:

            def category_score(p: PastModel, i: int = category_pos[name]) -> Any:
                if p.category_scores is None:
                    _score(p, columns, specs)
                return p.category_scores[i] if p.category_scores is not None else None

            value = category_score
        elif name in dimension_pos:
            position = dimension_pos[name]

            def grade_points(p: PastModel, dimension: Any = columns.dimensions[position], spec=specs[position]) -> Any:
                if not applies(spec, p.type_list):
                    return None
                return GradeCell(dimension, p.grades.get(dimension.ref, vocab.Grade.NOT_ASSESSED)).points

            value = grade_points
        else:
            continue
        keys.append((value, descending))
    return keys


def _sort(pasts: list[PastModel], ordering: list[str] | None, columns: Columns, specs: list) -> list[PastModel]:
    # The tie-break (see curation.models.index_tie_break), applied first: upstream file name
    # descending, then name and id.
    pasts = sorted(pasts, key=lambda p: (p.value("name").lower(), p.value("id") or 0))
    pasts = sorted(pasts, key=lambda p: p.value("upstream_filename") or "", reverse=True)
    for value, descending in reversed(_sort_keys(ordering, columns, specs)):
        present = [p for p in pasts if value(p) is not None]
        missing = [p for p in pasts if value(p) is None]  # always last, as in the live index
        pasts = sorted(present, key=value, reverse=descending) + missing
    return pasts


def columns_on(as_of: datetime.date) -> Columns:
    """The table's columns as the dimension registry stood at the end of `as_of` (its names, its
    categories, which types each dimension applied to); today's when no version is that old.
    The dimensions are unsaved copies built from the RegistryVersion (negative ids)."""
    return columns_of(registry_version_on(end_of_day(as_of)))


def columns_of(version: RegistryVersion | None, today: list | None = None) -> Columns:
    """The table's columns under a registry version (`columns_on`): today's columns when there
    is none or it lists today's dimensions (`today`: `registry_version_data()`, read when not
    given), else built from it, `historical`."""
    if version is None or version.dimensions == (registry_version_data() if today is None else today):
        # No older registry, or the same as today's: today's columns, and the stored scores hold.
        return registry_columns()
    categories: dict[str, DimensionCategory] = {}
    dimensions = []
    for position, item in enumerate(version.dimensions, start=1):
        category = categories.get(item["category"])
        if category is None:
            category = DimensionCategory(
                pk=-(len(categories) + 1),
                ref=item["category"],
                name=item.get("category_name") or item["category"],
                position=len(categories),
            )
            categories[item["category"]] = category
        dimensions.append(
            Dimension(
                pk=-position,
                ref=item["ref"],
                name=item["name"],
                category=category,
                position=position,
                applicable_types=",".join(item.get("types") or []),
                is_active=True,
            )
        )
    return Columns(dimensions=dimensions, categories=list(categories.values()), historical=True)


class PastQueryRows(Sequence):
    """The rows of a past index that is today's index less the models added since (see
    `filtered_index_as_of`), filtered and ordered by the database: a page builds only its own
    rows (`queries.build_rows`, today's figures of adoption left out), the count is one query, and
    iterating (downloads) reads plain rows. `count`, when given, answers `len` instead of
    counting the queryset (a call, made at most once)."""

    def __init__(self, queryset, columns: Columns, *, count: Callable[[], int] | None = None):
        self.queryset, self._columns, self._count = queryset, columns, None
        self._counter = count if count is not None else queryset.count

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._counter()
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            models = list(self.queryset[index])
            for model in models:
                for name in FIGURE_FIELDS:  # today's adoption figures are no part of a past index
                    setattr(model, name, None)
            return build_rows(models, self._columns)
        found = self[index : index + 1] if index >= 0 else None
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self):
        return iter(rows_of(self.queryset, self._columns, adoption=False))


def _only_additions_since(cutoff: datetime.datetime):
    """The ids of the models added after `cutoff`, when additions are all that changed since
    (no field, organisation or deletion recorded after it); None otherwise."""
    later = HistoryEntry.objects.filter(applied_at__gte=cutoff)
    if later.exclude(field="created").exists():
        return None
    return later.filter(field="created", ai_model__isnull=False).values("ai_model_id")


def _comparison(ordering: list[str] | None, columns: Columns, specs: list) -> Callable[[PastModel, PastModel], int]:
    """The order of `_sort` as a comparison of two past models (-1, 0, 1): each chosen ordering
    in turn, empty values last either way, then the tie-break. For merging sorted runs."""
    keys = _sort_keys(ordering, columns, specs)

    def compare(a: PastModel, b: PastModel) -> int:
        for value, descending in keys:
            x, y = value(a), value(b)
            if x is None or y is None:
                if x is None and y is None:
                    continue
                return 1 if x is None else -1  # empty values last, as in the live index
            if x != y:
                return (1 if x < y else -1) if descending else (-1 if x < y else 1)
        # The tie-break (curation.models.index_tie_break): file name descending, name, id.
        x, y = a.value("upstream_filename") or "", b.value("upstream_filename") or ""
        if x != y:
            return -1 if x > y else 1
        x, y = a.value("name").lower(), b.value("name").lower()
        if x != y:
            return -1 if x < y else 1
        i, j = a.value("id") or 0, b.value("id") or 0
        return (i > j) - (i < j)

    return compare


class PastOverlayRows(Sequence):
    """The rows of a past index in two parts, merged in the index's order: the models nothing
    was recorded about since the date (`queryset`, filtered and ordered by the database, read
    only around the page shown) and the few that changed since (`changed`: rebuilt from their
    history, filtered and sorted in memory by `compare`).

    A page from offset `a` to `b` reads at most the database's rows `a - len(changed)` to `b`:
    the changed models before the page can push it back by no more than their number. Costs grow
    with the number of changed models and the page size, not with the size of the index."""

    _CHUNK = 2000

    def __init__(self, queryset, changed: list[PastModel], compare, columns: Columns, specs: list):
        self.queryset, self._changed, self._compare = queryset, changed, compare
        self._columns, self._specs = columns, specs
        self._count: int | None = None

    def _stored_count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self._stored_count() + len(self._changed)

    def _unchanged(self, start: int, stop: int) -> list[PastModel]:
        """The database's rows `start` to `stop` (its order) as past models with today's values."""
        models = list(_plain_models(self.queryset[start:stop]))
        ids = [m.pk for m in models]
        return _as_past(
            models,
            _registry_names(),
            joined_pairs_by_model(Assessment.objects.filter(ai_model_id__in=ids), "dimension_id", "grade"),
            joined_pairs_by_model(CategoryScore.objects.filter(ai_model_id__in=ids), "category_id", "score"),
            Organisation.objects.in_bulk({m.organisation_id for m in models if m.organisation_id}),
        )

    def _every_unchanged(self) -> Iterator[PastModel]:
        """All the database's rows in its order, read through once, made past models by chunks
        (their grades, scores and organisations read beforehand in three queries, as
        `downloads.rows_of` does)."""
        ids = self.queryset.order_by().values("pk")
        read = (
            _registry_names(),
            joined_pairs_by_model(Assessment.objects.filter(ai_model__in=ids), "dimension_id", "grade"),
            joined_pairs_by_model(CategoryScore.objects.filter(ai_model__in=ids), "category_id", "score"),
            Organisation.objects.in_bulk(set(self.queryset.order_by().values_list("organisation_id", flat=True))),
        )
        models = _plain_models(self.queryset)
        while chunk := list(itertools.islice(models, self._CHUNK)):
            yield from _as_past(chunk, *read)

    def _merged(self, start: int, stop: int) -> list[PastModel]:
        changed, key = self._changed, cmp_to_key(self._compare)
        stop = min(stop, len(self))
        if start >= stop:
            return []
        first = max(0, min(start - len(changed), self._stored_count() - 1))
        unchanged = self._unchanged(first, stop) if self._stored_count() else []
        # Changed models before the first row read are before `first + skipped` in the merge.
        skipped = bisect.bisect_left([key(p) for p in changed], key(unchanged[0])) if first and unchanged else 0
        merged = heapq.merge(unchanged, changed[skipped:], key=key)
        offset = first + skipped
        return list(itertools.islice(merged, start - offset, stop - offset))

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return [_row(past, self._columns, self._specs) for past in self._merged(start, stop)]
        position = index if index >= 0 else len(self) + index
        found = self._merged(position, position + 1)
        if not found:
            raise IndexError(index)
        return _row(found[0], self._columns, self._specs)

    def __iter__(self):
        # One pass over the database's rows (no page by page re-reading), merged as they come.
        merged = heapq.merge(self._every_unchanged(), self._changed, key=cmp_to_key(self._compare))
        shared: dict = {}
        for past in merged:
            yield _row(past, self._columns, self._specs, shared)


def _as_past(
    models: list[AIModel],
    names: tuple[dict, dict],
    grades: dict[int, str],
    stored: dict[int, str],
    organisations: dict[int, Organisation],
) -> list[PastModel]:
    """Models read from the database (`_plain_models`) as past models with today's values, given
    their grades and stored scores (`joined_pairs_by_model`) and organisations by id."""
    pasts = []
    for model in models:
        model.organisation = organisations.get(model.organisation_id)
        for name in FIGURE_FIELDS:  # today's adoption figures are no part of a past index
            setattr(model, name, None)
        pasts.append(
            PastModel(model, raw_grades=grades.get(model.pk, ""), raw_categories=stored.get(model.pk, ""), names=names)
        )
    return pasts


# Beyond this many models changed since a date, the whole index is rebuilt instead (the same
# rows): the merge's cost grows with their number, and their ids go to the database as
# parameters (PostgreSQL takes at most 65,535 per query, SQLite 32,766).
MERGE_MAX_CHANGED = 20_000
# Beyond this many changed models, the merge's rebuild is heavy enough to run only while no other
# heavy rebuild runs (curation.public.past_builds), as the rebuild of the whole index always does.
EXCLUSIVE_ABOVE_CHANGED = 5_000


def _overlay(data, as_of: datetime.date, columns: Columns) -> tuple[AIModelFilter, Sequence]:
    """The past index as today's unchanged models (filtered, ordered and paged by the database)
    merged with the models changed since `as_of`, rebuilt from their history (see
    `PastOverlayRows`); the whole index rebuilt when more than `MERGE_MAX_CHANGED` changed.
    Today's registry only: the unchanged models' stored scores must hold."""
    cutoff = end_of_day(as_of)
    later = HistoryEntry.objects.filter(applied_at__gte=cutoff)
    created_since = later.filter(field="created", ai_model__isnull=False).values("ai_model_id")
    existing = AIModel.objects.filter(created_at__lt=cutoff).exclude(pk__in=created_since)
    # Models with a change of their own since, and those of an organisation changed since: two
    # queries on indexes (one with OR would read every model and, joined, every grade).
    changed_models = later.exclude(field="created").filter(ai_model__isnull=False).values("ai_model_id")
    changed_organisations = later.filter(organisation__isnull=False).values("organisation_id")
    if existing.filter(pk__in=changed_models).count() > MERGE_MAX_CHANGED:
        # Too many for a merge already (counted by the database: no id read).
        return _rebuilt_index_as_of(data, as_of, columns)
    changed = set(existing.filter(pk__in=changed_models).values_list("pk", flat=True))
    changed.update(existing.filter(organisation_id__in=changed_organisations).values_list("pk", flat=True))
    if len(changed) > MERGE_MAX_CHANGED:
        return _rebuilt_index_as_of(data, as_of, columns)
    ids = sorted(changed)
    # What the rebuild of the changed models reads: their entries, the organisations', the
    # deletions (snapshots) and the additions of a deleted model's name (not revived then).
    deleted = later.filter(field="deleted", ai_model__isnull=True, organisation__isnull=True)
    entries = later.filter(
        Q(ai_model_id__in=ids)
        | Q(organisation__isnull=False)
        | Q(ai_model__isnull=True, organisation__isnull=True)
        | Q(field="created", target_label__in=deleted.values("target_label"))
    )
    filterset, qs = filtered_index(data, columns=columns, base=existing.exclude(pk__in=ids))
    cleaned = dict(getattr(filterset.form, "cleaned_data", {}) or {})
    specs = [columns.spec(d) for d in columns.dimensions]

    def build() -> dict:
        public = []
        for past in _consumed(_rebuild(as_of, AIModel.objects.filter(pk__in=ids), entries, every_organisation=False)):
            if was_public(past):
                if past.rescore:
                    _score(past, columns, specs)  # the total decides the order
                public.append(past)
        return _compact(_consumed(public))

    # Kept per moment and data version; with many changed models, one such build at a time.
    rebuilt = built_once("changed", as_of, build, exclusive=len(ids) > EXCLUSIVE_ABOVE_CHANGED)
    kept = _filtered(_from_compact(rebuilt), cleaned)
    # `_sort` orders as `compare` does, by keys rather than pairwise: faster when many changed.
    kept = _sort(kept, cleaned.get("ordering"), columns, specs)
    return filterset, PastOverlayRows(qs, kept, _comparison(cleaned.get("ordering"), columns, specs), columns, specs)


def filtered_index_as_of(data, as_of: datetime.date, columns: Columns) -> tuple[AIModelFilter, Sequence]:
    """Rows of the index as it stood at the end of `as_of`, filtered and ordered like today's.

    `columns` should be `columns_on(as_of)`: scores are then those of that day's registry.
    When nothing but additions happened since that day (and the registry is today's), the past
    index is today's less those models: the database filters, orders and pages it
    (`PastQueryRows`), at the cost of today's index. With other changes since, the models they
    concern are rebuilt from their history and merged with the others' rows read from the
    database (`PastOverlayRows`). With another registry that day (every score to recompute),
    the whole index is rebuilt from its history (`rebuild_index`) and filtered and ordered in
    memory (`PastRows`).

    All of this only where the periods the worker writes (curation.public.model_periods) do not
    hold for that day (`periods_hold_at`): where they do, every date is one query on them
    (`PeriodRows`), filtered, ordered, counted and paged by the database.

    A day that has not ended (today, in UTC) is the index now: nothing has happened after its
    end, so it is today's index read as today's (`PastQueryRows` over `filtered_index`, counted
    as today's index is, `pagination.index_count`), with today's adoption figures left out."""
    if not columns.historical and end_of_day(as_of) > timezone.now():
        filterset, qs = filtered_index(data, columns=columns)
        return filterset, PastQueryRows(qs, columns, count=lambda: index_count(filterset))
    if periods_hold_at(end_of_day(as_of)) and _same_columns(columns, columns_on(as_of)):
        return _periods_index_as_of(data, as_of, columns)

    cutoff = end_of_day(as_of)
    if not columns.historical:
        added_since = _only_additions_since(cutoff)
        if added_since is None:
            return _overlay(data, as_of, columns)
        base = AIModel.objects.filter(created_at__lt=cutoff).exclude(pk__in=added_since)
        filterset, qs = filtered_index(data, columns=columns, base=base)
        return filterset, PastQueryRows(qs, columns)
    return _rebuilt_index_as_of(data, as_of, columns)


def _rebuilt_index_as_of(data, as_of: datetime.date, columns: Columns) -> tuple[AIModelFilter, PastRows]:
    """`filtered_index_as_of` by rebuilding every model from its history, in memory."""
    filterset = AIModelFilter(data, AIModel.objects.none(), dimensions=columns.dimensions)
    filterset.is_valid()
    cleaned = dict(getattr(filterset.form, "cleaned_data", {}) or {})
    specs = [columns.spec(d) for d in columns.dimensions]

    def build() -> dict:
        public = []
        for past in _consumed(rebuild_index(as_of)):
            if not was_public(past):
                continue
            if columns.historical:
                past.rescore = True  # that day's registry: stored scores (today's registry) do not hold
            if past.rescore:
                _score(past, columns, specs)  # the total decides the order
            public.append(past)
        return _compact(_consumed(public))

    # Heavy (every model): built once per moment and data version, one such build at a time.
    kept = _filtered(_from_compact(built_once("whole", as_of, build, exclusive=True)), cleaned)
    with paused_collection():  # sorting makes a key per model and no garbage
        return filterset, PastRows(_sort(kept, cleaned.get("ordering"), columns, specs), columns, specs)


def periods_current() -> bool:
    """Whether the `ModelPeriod` rows reflect the data now (their data version is the current
    one, read from the database): then a past index is read from them."""
    written = ModelPeriodsWritten.objects.values_list("data_version", flat=True).first()
    return written is not None and written == latest_data_version()


def periods_hold_at(cutoff: datetime.datetime) -> bool:
    """Whether the `ModelPeriod` rows give the index of the moment `cutoff` as rebuilding it
    from history now would: when they reflect the data now (`periods_current`), or when every
    change since they were written left that moment's index as it was. A rebuild undoes the
    entries applied at or after its moment, so such changes are: history entries applied at or
    after both `cutoff` and the moment the writer began reading (no backdated entries, so the
    first recorded day stays), in data changes that kept all they did in history
    (`DataChange.kept_in_history`: edits, approvals, news, adoption figures), no model created
    before `cutoff` and no new registry. Deletions and the creation of a model named as a
    deleted one are excluded too: a rebuild revives a deleted model from its snapshot, not from
    the entries before it, and hides it behind a later model of the same name.

    Up to six small indexed queries, and only when the periods are not current: a change
    leaves every earlier day answered from the periods while the worker writes them again."""
    written = ModelPeriodsWritten.objects.first()
    if written is None:
        return False
    version = latest_data_version()
    if written.data_version == version:
        return True
    if written.history_through is None or written.read_at is None or unkept_changes_since(written, version):
        return False
    since = HistoryEntry.objects.filter(pk__gt=written.history_through)
    if since.filter(Q(applied_at__lt=max(cutoff, written.read_at)) | Q(field="deleted")).exists():
        return False
    deleted_names = HistoryEntry.objects.filter(field="deleted").values("target_label")
    if since.filter(field="created", target_label__in=deleted_names).exists():
        return False
    if AIModel.objects.filter(pk__gt=written.models_through or 0, created_at__lt=cutoff).exists():
        return False
    return not RegistryVersion.objects.filter(pk__gt=written.registry_through or 0).exists()


def unkept_changes_since(written: ModelPeriodsWritten, version: int) -> bool:
    """Whether a data change after the periods' own, up to `version`, did what history may not
    hold (`DataChange.kept_in_history` false)."""
    return DataChange.objects.filter(pk__gt=written.data_version, pk__lte=version, kept_in_history=False).exists()


def _same_columns(columns: Columns, registry: Columns) -> bool:
    """Whether `columns` are those of `registry` (the periods are scored under the registry in
    force at their moment; a caller showing a past date with other columns is answered from
    history, which scores under the columns given)."""

    def shape(c: Columns) -> tuple:
        return (
            c.historical,
            [(d.ref, d.category.ref, d.applicable_types) for d in c.dimensions],
            [c.ref for c in c.categories],
        )

    return shape(columns) == shape(registry)


def _periods_index_as_of(data, as_of: datetime.date, columns: Columns) -> tuple[AIModelFilter, PeriodRows]:
    """`filtered_index_as_of` from the periods valid at the end of `as_of`: the filters of
    `_matches` and the order of `_sort` as SQL on their columns (see `_period_filtered`,
    `_period_ordering`); rows built only for the page read."""
    filterset = AIModelFilter(data, AIModel.objects.none(), dimensions=columns.dimensions)
    filterset.is_valid()
    cleaned = dict(getattr(filterset.form, "cleaned_data", {}) or {})
    cutoff = end_of_day(as_of)
    queryset = _period_filtered(periods_valid_at(cutoff), cleaned)
    queryset = queryset.order_by(*_period_ordering(cleaned.get("ordering"), columns))
    # Unfiltered, the count is the same for every reader of that day until the data changes.
    count = None if narrows(filterset) else partial(past_index_count, cutoff)
    return filterset, PeriodRows(queryset, columns, count=count)


@remembered_per_data_version
def past_index_count(cutoff: datetime.datetime) -> int:
    """How many models the index held at `cutoff` (the periods valid then, `periods_valid_at`),
    counted once per data version and cache generation in each process. Only for moments the
    periods hold (`periods_hold_at`): periods written again for the same data version hold the
    same index for them."""
    return periods_valid_at(cutoff).count()


def periods_valid_at(cutoff: datetime.datetime):
    """The `ModelPeriod` rows a reader of the moment `cutoff` sees (changes applied before it):
    `valid_from < cutoff <= valid_to`, a null bound being open."""
    return ModelPeriod.objects.filter(Q(valid_from__lt=cutoff) | Q(valid_from__isnull=True)).filter(
        Q(valid_to__gte=cutoff) | Q(valid_to__isnull=True)
    )


def _period_filtered(queryset, cleaned: dict):
    """`queryset` (periods) kept as `_matches` keeps past models, on the periods' columns: the
    lowercased keys (Python's lowering on both sides, so the database's case rules play no
    part), the effective classification, the grades as JSON."""
    text = (cleaned.get("q") or "").strip().lower()
    if text:
        queryset = queryset.filter(
            Q(name_key__contains=text)
            | Q(organisation_key__contains=text)
            | Q(base_model_key__contains=text)
            | Q(end_model_key__contains=text)
        )
    if cleaned.get("type"):
        any_type = Q()
        for value in cleaned["type"]:  # a member of the comma-separated list
            any_type |= (
                Q(types=value)
                | Q(types__startswith=f"{value},")
                | Q(types__endswith=f",{value}")
                | Q(types__contains=f",{value},")
            )
        queryset = queryset.filter(any_type)
    if cleaned.get("performance_class"):
        queryset = queryset.filter(performance_class__in=list(cleaned["performance_class"]))
    wanted = (cleaned.get("organisation") or "").strip()
    if wanted:
        queryset = queryset.filter(Q(organisation_slug=wanted) | Q(organisation_key=wanted.lower()))
    for param, attr in _CLASSIFICATION_PARAMETERS.items():
        if cleaned.get(param):
            queryset = queryset.filter(**{f"effective_{attr}": str(cleaned[param])})
    if cleaned.get("base_model"):
        queryset = queryset.filter(base_model_key__contains=cleaned["base_model"].lower())
    if cleaned.get("released_from"):
        queryset = queryset.filter(release_date__gte=cleaned["released_from"][0])
    if cleaned.get("released_to"):
        queryset = queryset.filter(release_date__lte=cleaned["released_to"][1])
    for position, (ref, grades) in enumerate(_grade_filters(cleaned)):
        alias = f"grade_{position}"
        queryset = queryset.alias(**{alias: Cast(KeyTextTransform(ref, "grades"), CharField())}).filter(
            **{f"{alias}__in": [str(g) for g in grades]}
        )
    return queryset


def _period_ordering(ordering: list[str] | None, columns: Columns) -> list:
    """The order of `_sort` as SQL on the periods' columns: each chosen ordering, empty values
    last either way, then the tie-break (upstream file name descending, name lowercased, model
    id, deleted models' as 0). Text compared code point by code point, as Python does (the C
    collation on PostgreSQL; SQLite's default compares so). The default order (`-total` and
    the tie-break) is the `modelperiod_index_order` index's on PostgreSQL (migration 0022):
    keep the two alike."""

    def text(name: str):
        return Collate(name, "C") if connection.vendor == "postgresql" else F(name)

    static = {
        "total": F("total_score"),
        "name": text("name_key"),
        "released": F("release_date"),
        "organisation": text("organisation_key"),
        "type": text("types"),
        "performance_class": text("performance_class"),
    }
    categories = {f"{CATEGORY_ORDER_PREFIX}{c.ref}": c.ref for c in columns.categories}
    dimensions = {f"{DIMENSION_ORDER_PREFIX}{d.ref}": d.ref for d in columns.dimensions}
    found = []
    for key in [k for k in (ordering or []) if k] or ["-total"]:
        descending, name = key.startswith("-"), key.lstrip("-")
        if name in static:
            expr = static[name]
        elif name in categories:
            expr = Cast(KeyTextTransform(categories[name], "category_scores"), FloatField())
        elif name in dimensions:
            expr = Cast(KeyTextTransform(dimensions[name], "points"), FloatField())
        else:
            continue
        found.append(expr.desc(nulls_last=True) if descending else expr.asc(nulls_last=True))
    return [*found, text("upstream_filename").desc(), text("name_key").asc(), Coalesce("model_id", 0).asc(), "pk"]


class PeriodRows(Sequence):
    """The rows of a past index read from the periods valid then (`queryset`: filtered and
    ordered): the count is one query (or `count()`, when given), a page reads its own periods
    and builds only its rows, iterating (downloads) reads them all in chunks, sharing equal
    grade cells."""

    _CHUNK = 2000

    def __init__(self, queryset, columns: Columns, count: Callable[[], int] | None = None):
        self.queryset, self._columns = queryset, columns
        self._specs = [columns.spec(d) for d in columns.dimensions]
        self._count: int | None = None
        self._counter = count or queryset.count

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._counter()
        return self._count

    def _rows(self, periods: list[ModelPeriod], shared: dict | None = None) -> list[IndexRow]:
        wanted = {p.organisation_id for p in periods if p.organisation_values is not None}
        organisations = Organisation.objects.in_bulk(wanted) if wanted else {}
        return [
            _row(_past_of_period(p, organisations, self._columns), self._columns, self._specs, shared) for p in periods
        ]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return self._rows(list(self.queryset[start:stop])) if start < stop else []
        position = index if index >= 0 else len(self) + index
        found = self._rows(list(self.queryset[position : position + 1])) if position >= 0 else []
        if not found:
            raise IndexError(index)
        return found[0]

    def __iter__(self):
        shared: dict = {}
        periods = self.queryset.iterator(chunk_size=self._CHUNK)
        while chunk := list(itertools.islice(periods, self._CHUNK)):
            yield from self._rows(chunk, shared)


def _past_of_period(period: ModelPeriod, organisations: dict[int, Organisation], columns: Columns) -> PastModel:
    """The past model a period shows, as the rebuild makes it: a model copy with the period's
    values (one deleted since made as `_from_snapshot` makes it, with the model's defaults for
    the rest), its organisation today's with the values recorded then, its grades and scores."""
    values = {name: getattr(period, name) for name in PERIOD_MODEL_FIELDS}
    if period.model_id is None:
        model = AIModel()
    else:
        model = AIModel.__new__(AIModel)
        model._state = ModelState()
        model._state.adding = False
    model.__dict__.update(values)
    model.__dict__["id"] = period.model_id
    for name in FIGURE_FIELDS:  # today's adoption figures are no part of a past index
        model.__dict__[name] = None
    org = None
    if period.organisation_values is not None and period.organisation_id is not None:
        found = organisations.get(period.organisation_id)
        org = copy.copy(found) if found is not None else Organisation(pk=period.organisation_id)
        for name, value in period.organisation_values.items():
            setattr(org, name, value)
    model._state.fields_cache["organisation"] = org
    past = PastModel(model, dict(period.grades), exists_today=period.model_id is not None)
    past.category_scores = [period.category_scores.get(c.ref) for c in columns.categories]
    return past
