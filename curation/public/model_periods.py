"""The index's models over time as valid-time periods (`curation.models.ModelPeriod`), written by
the worker after every data change, so that a past index is a database query.

A past index is, for a moment `c` (the end of an `as_of` day, or a release's moment), today's
models with every `HistoryEntry` applied at or after `c` undone, newest first
(`curation.public.as_of.rebuild_index`). What that gives changes only at a few kinds of moments,
the boundaries: an entry's `applied_at`, a model's `created_at`, a registry version's
`valid_from` (another registry: other columns and scores) and the start of the first recorded
day (before it, models deleted since are not shown). `model_periods` walks them once, newest
first, undoing the entries with the rebuild's own functions (`_today`, `_undo`, and through
them `_restore_model`, `_restore_organisation`, `_from_snapshot`), and at each boundary closes
the period of every model whose shown values changed there and opens the next. Equal
consecutive values make one period.

So for every moment `c`, the periods with `valid_from < c <= valid_to` are exactly the public
models of `rebuild_index(c)` (`was_public`), with their values, grades and scores then: scored
as `_score` does under the registry in force at `c` (`columns_of`), today's stored scores where
nothing they depend on changed and the registry is today's.

The table is written whole, in one transaction (readers see the old rows or the new, never
half), with the data version it reflects (`ModelPeriodsWritten`) and what the build read from
(the last history entry, model and registry version, and when it began): read before the build,
so that a change committed meanwhile leaves the table marked stale. Until the next write, readers
(`curation.public.as_of.periods_hold_at`) keep reading the periods for the moments the changes
since left as they were (an edit today leaves every earlier day), and rebuild the others from
history. A change that touched nothing an index shows (news, images, adoption figures) only
marks the periods current (`write_current_periods`). A write's cost grows with the number of
periods (about a millisecond each, most of it working out what each shows), not with the number
of readers or dates asked for.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from curation import vocab
from curation.models import AIModel, HistoryEntry, ModelPeriod, ModelPeriodsWritten, RegistryVersion
from curation.public.as_of import (
    PERIOD_MODEL_FIELDS,
    PastModel,
    _today,
    _undo,
    columns_of,
    end_of_day,
    scores_of,
    unkept_changes_since,
    was_public,
)
from curation.public.queries import Columns, GradeCell, first_recorded_day
from curation.registry import registry_version_data
from curation.releases import latest_data_version
from curation.scoring import applies

log = logging.getLogger(__name__)

BATCH_SIZE = 1000

# A grade's points as a grade cell of the index has them (`queries.GradeCell.points`), by grade.
_POINTS = {grade.value: GradeCell(None, grade.value).points for grade in vocab.Grade}  # type: ignore[arg-type]

# The organisation's values a period keeps: those history restores (`_restore_organisation`),
# and the slug the filters and links read.
ORGANISATION_FIELDS = (
    "name",
    "slug",
    "link",
    "is_public",
    "origin_scope",
    "country",
    "region",
    "sector",
    "contributor_kind",
    "big_tech_bloc",
)


def write_current_periods(progress: Callable[[str], None] | None = None) -> bool:
    """The worker's part (after every chart run and sweep): write the periods of the current data
    version unless they are written already, or mark those written current when nothing an
    index shows changed since (`_shown_unchanged`: news, images, adoption figures). True when it
    wrote them."""
    version = latest_data_version()
    if ModelPeriodsWritten.objects.filter(data_version=version).exists():
        return False
    if _mark_current_if_unchanged(version):
        return False
    return write_model_periods(version, progress, unless_written=True) is not None


def _mark_current_if_unchanged(version: int) -> bool:
    """Mark the periods written as of data version `version` when nothing they show changed since
    they were written; True when it did (or another writer wrote that version meanwhile)."""
    with transaction.atomic():
        _lock_periods()
        written = ModelPeriodsWritten.objects.first()
        if written is None or written.data_version > version:
            return False
        if written.data_version == version:
            return True
        if not _shown_unchanged(written, version):
            return False
        ModelPeriodsWritten.objects.filter(pk=written.pk).update(data_version=version)
    return True


def _shown_unchanged(written: ModelPeriodsWritten, version: int) -> bool:
    """Whether nothing the periods show changed between their data version and `version`: every
    change in between kept all it did in history and none wrote an entry, a model or a registry."""
    if written.history_through is None or unkept_changes_since(written, version):
        return False
    return not (
        HistoryEntry.objects.filter(pk__gt=written.history_through).exists()
        or AIModel.objects.filter(pk__gt=written.models_through or 0).exists()
        or RegistryVersion.objects.filter(pk__gt=written.registry_through or 0).exists()
    )


def _lock_periods() -> None:
    """Writers of the periods take turns (on PostgreSQL a lock on the table that lets reads
    through; SQLite writes one transaction at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(ModelPeriod._meta.db_table)} IN EXCLUSIVE MODE")


def write_model_periods(
    version: int | None = None, progress: Callable[[str], None] | None = None, *, unless_written: bool = False
) -> int | None:
    """Replace every `ModelPeriod` with those of the data now, marked as of data version
    `version` (default: the current one, read before the build); returns how many were written,
    or None when `unless_written` and another writer wrote that version meanwhile.

    One transaction: readers see the old table or the new one. Writers take turns (on PostgreSQL
    a lock on the table that lets reads through; SQLite writes one transaction at a time), so a
    chart run and a sweep writing at once cannot leave both their rows."""
    if version is None:
        version = latest_data_version()
    say = progress or (lambda _text: None)
    count = 0
    with transaction.atomic():
        _lock_periods()
        if unless_written and ModelPeriodsWritten.objects.filter(data_version=version).exists():
            return None
        # What the build reads from, read before it (`curation.public.as_of.periods_hold_at`).
        read = {
            "read_at": timezone.now(),
            "history_through": _last_id(HistoryEntry),
            "models_through": _last_id(AIModel),
            "registry_through": _last_id(RegistryVersion),
        }
        ModelPeriod.objects.all().delete()
        ModelPeriodsWritten.objects.all().delete()
        insert = _Insert()
        batch: list[dict] = []
        for period in model_periods():
            batch.append(period)
            if len(batch) >= BATCH_SIZE:
                insert(batch)
                count += len(batch)
                batch = []
                if count % 50_000 == 0:
                    say(f"{count} model periods written")
        insert(batch)
        count += len(batch)
        ModelPeriodsWritten.objects.create(data_version=version, written_at=timezone.now(), period_count=count, **read)
    _vacuum_periods()
    say(f"{count} model periods written for data version {version}")
    return count


def _vacuum_periods() -> None:
    """On PostgreSQL, outside a transaction (VACUUM cannot run in one): `VACUUM (ANALYZE)` the
    periods table just replaced, so readers count from the index alone (the visibility map) and
    the planner knows the new rows at once, not after autovacuum's next visit. At 100,000 models
    it takes some 2.4 s and makes a past day's count 96 ms → 20 ms and its first page 150 ms →
    70 ms. Reads and writes go on meanwhile; inside a caller's transaction it is left to
    autovacuum."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    table = connection.ops.quote_name(ModelPeriod._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")


def _last_id(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


class _Insert:
    """Inserts periods (`ModelPeriod` field values) with one prepared statement run over a batch:
    `bulk_create` prepares every value of every row through its field and assembles a statement
    per batch, most of a write's time at 100,000 models. Only the values the database driver
    cannot take as they are (JSON, dates and times) go through their field here."""

    def __init__(self):
        fields = [f for f in ModelPeriod._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in fields]
        self.prepared = [
            (position, field)
            for position, field in enumerate(fields)
            if field.get_internal_type() in ("JSONField", "DateTimeField", "DateField")
        ]
        table = connection.ops.quote_name(ModelPeriod._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
        # Names from the model's own metadata, quoted: nothing from outside goes into the text.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        self.connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not its per-thread proxy

    def __call__(self, periods: list[dict]) -> None:
        if not periods:
            return
        rows = []
        for period in periods:
            row = [period[name] for name in self.names]
            for position, field in self.prepared:
                row[position] = field.get_db_prep_save(row[position], self.connection)
            rows.append(row)
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


class _Registry:
    """The columns, their scoring specs and the version id in force over one stretch of time."""

    def __init__(self, version: RegistryVersion | None, today: list):
        self.version_id = version.pk if version is not None else None
        self.columns: Columns = columns_of(version, today)
        self.specs = [self.columns.spec(d) for d in self.columns.dimensions]


def model_periods() -> Iterator[dict[str, Any]]:
    """Every period of every model, as `ModelPeriod` field values, newest boundaries first (see
    the module's docstring). Reads the models, their grades and scores, the organisations and
    the whole history once; memory grows with the number of models, not of periods."""
    first_day = first_recorded_day()
    if first_day is None:
        return
    # Models rebuilt from deletions belong to the index only after this moment (`_revived_then`).
    records_begin = end_of_day(first_day) - datetime.timedelta(days=1)
    today = registry_version_data()
    versions = list(RegistryVersion.objects.order_by("-valid_from", "-id"))
    registries: dict[int | None, _Registry] = {}

    def registry_at(position: int) -> _Registry:
        version = versions[position] if position < len(versions) else None
        key = version.pk if version is not None else None
        if key not in registries:
            registries[key] = _Registry(version, today)
        return registries[key]

    past, organisations, entries = _today(AIModel.objects.all(), HistoryEntry.objects.all())
    created = sorted(((p.model.created_at, pk) for pk, p in past.items()), reverse=True)
    boundaries = sorted(
        {e.applied_at for e in entries}
        | {at for at, _pk in created}
        | {v.valid_from for v in versions}
        | {records_begin},
        reverse=True,
    )

    revived: dict[int, PastModel] = {}  # models rebuilt from deletions, by negative keys
    by_organisation: dict[int, set[int]] = {}  # {organisation id: keys of its models}

    def attach(key: int, model: AIModel) -> None:
        if model.organisation_id is not None and model.organisation is not None:
            by_organisation.setdefault(model.organisation_id, set()).add(key)

    for pk, p in past.items():
        attach(pk, p.model)

    version_position = 0
    registry = registry_at(0)
    # {key: (the values shown, or None while not public; the end of the period they hold over)}
    open_periods: dict[int, tuple[dict | None, datetime.datetime | None]] = {}
    for key, p in past.items():
        open_periods[key] = (_shown(p, registry), None)

    entry_at = created_at = 0
    created_later: set[str] = set()
    revive = True
    for boundary in boundaries:
        touched: set[int] = set()
        while entry_at < len(entries) and entries[entry_at].applied_at >= boundary:
            entry = entries[entry_at]
            entry_at += 1
            before_org = None
            if entry.field == "organisation" and entry.ai_model_id in past:
                before_org = past[entry.ai_model_id].model.organisation_id
            scratch: list[PastModel] = []
            done = _undo(entry, past, organisations, created_later, scratch)
            if done is None:
                continue
            kind, what = done
            if kind == "organisation":
                touched |= by_organisation.get(what, set())
            elif kind == "revived":
                if revive:
                    key = -(len(revived) + 1)
                    revived[key] = what
                    attach(key, what.model)
                    touched.add(key)
            else:  # "created" or "model"
                touched.add(what)
                if kind == "model" and entry.field == "organisation":
                    if before_org is not None:
                        by_organisation.get(before_org, set()).discard(what)
                    attach(what, past[what].model)
        while created_at < len(created) and created[created_at][0] >= boundary:
            pk = created[created_at][1]
            created_at += 1
            past.pop(pk, None)  # created at or after the boundary: not there before it
            touched.add(pk)
        moved = version_position
        while version_position < len(versions) and versions[version_position].valid_from >= boundary:
            version_position += 1
        if version_position != moved:
            registry = registry_at(version_position)
            touched |= set(past) | set(revived)
        if boundary <= records_begin and revive:
            revive = False
            touched |= set(revived)
            revived.clear()
        for key in touched:
            now = past.get(key) if key > 0 else revived.get(key)
            shown = _shown(now, registry) if now is not None else None
            held, until = open_periods.get(key, (None, None))
            if key in open_periods and held == shown:
                continue
            if held is not None:
                yield _period(held, boundary, until)
            if now is not None:
                open_periods[key] = (shown, boundary)
            else:
                open_periods.pop(key, None)
    for held, until in open_periods.values():
        if held is not None:
            yield _period(held, None, until)


def _period(shown: dict, valid_from: datetime.datetime | None, valid_to: datetime.datetime | None) -> dict:
    return {**shown, "valid_from": valid_from, "valid_to": valid_to}


def _text(value: Any) -> str:
    """A classification value as text: a country's code, "" for none."""
    return str(getattr(value, "code", value) or "")


def _shown(past: PastModel, registry: _Registry) -> dict | None:
    """What the index shows of `past` under `registry`, as `ModelPeriod` field values; None when
    readers did not see it (`was_public`)."""
    if not was_public(past):
        return None
    model = past.model
    values = model.__dict__
    shown: dict[str, Any] = {name: values.get(name) for name in PERIOD_MODEL_FIELDS}
    shown["own_country"] = _text(shown["own_country"])
    shown["model_id"] = model.pk
    columns, specs = registry.columns, registry.specs
    total, categories = scores_of(past, columns, specs, rescore=past.rescore or columns.historical)
    shown["total_score"] = total
    shown["registry_version"] = registry.version_id
    grades = dict(past.grades)
    types = past.type_list
    shown["grades"] = grades
    # Empty values are left out rather than null: SQLite reads a JSON null as the text "null",
    # which a cast to a number makes 0; a missing key is SQL NULL on both databases.
    shown["category_scores"] = {
        c.ref: score for c, score in zip(columns.categories, categories, strict=True) if score is not None
    }
    shown["points"] = {
        d.ref: _POINTS.get(grades.get(d.ref, vocab.Grade.NOT_ASSESSED), 0.0)
        for d, spec in zip(columns.dimensions, specs, strict=True)
        if applies(spec, types)
    }
    org = model.organisation
    if org is None:
        shown["organisation_values"] = shown["organisation_key"] = shown["organisation_slug"] = None
    else:
        org_values = {name: getattr(org, name) for name in ORGANISATION_FIELDS}
        org_values["country"] = _text(org_values["country"])
        shown["organisation_values"] = org_values
        shown["organisation_key"] = org.name.lower()
        shown["organisation_slug"] = org.slug
    shown["name_key"] = (model.name or "").lower()
    shown["base_model_key"] = (model.base_model_name or "").lower()
    shown["end_model_key"] = (model.end_model_name or "").lower()
    effective = model.classification()
    for attr in ("country", "region", "sector", "big_tech_bloc"):
        shown[f"effective_{attr}"] = _text(getattr(effective, attr))
    return shown
