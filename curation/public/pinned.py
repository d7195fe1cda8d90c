"""One model, one organisation or a comparison as the index showed them at a past moment.

The same reconstruction as the pinned index (curation.public.as_of): today's values with every
history entry applied after the moment undone, newest first (`as_of._restore_model`,
`as_of._restore_organisation`). For a few models it reads only their own history, in a fixed
number of queries whatever the size of the index, and it also restores each grade's evidence:
the `before` of an `assessment:<ref>` entry holds the grade, links and notes it replaced. The
approved change that set a grade as it stood is the latest before the moment. Rows come from
the index's own builder (`queries.build_rows`), so pages show them as they show today's.

A moment is a date (its end, UTC) or a datetime (that instant, e.g. a data release's). Models
deleted since cannot be found by their slug (a deletion's snapshot does not keep it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curation.adoption.figures import FIGURE_FIELDS
from curation.assessments import category_scores_by_model
from curation.history import SOURCE_REVIEW, PublicChange, ScorePoint, public_changelog, reviewed_evidence
from curation.models import AIModel, Assessment, HistoryEntry, Organisation
from curation.public.as_of import PastModel, _restore_model, _restore_organisation, end_of_day, was_public
from curation.public.queries import Columns, IndexRow, build_rows, model_score_history, registry_columns
from curation.review.fields import ASSESSMENT_PREFIX
from curation.scoring import compute_scores

Moment = datetime.date | datetime.datetime

_ENTRY_FIELDS = ("applied_at", "ai_model_id", "organisation_id", "field", "before")


def _organisation_ids(entries: Iterable[HistoryEntry]) -> set[int]:
    """The organisations a model belonged to before its `organisation` entries."""
    found = set()
    for entry in entries:
        if entry.field == "organisation":
            before = entry.before.get("id") if isinstance(entry.before, dict) else entry.before
            if isinstance(before, int):
                found.add(before)
    return found


def _past_organisations(ids: Iterable[int], cutoff: datetime.datetime) -> dict[int, Organisation]:
    """{id: organisation as it stood at `cutoff`} (unsaved values; two queries)."""
    organisations = {org.pk: org for org in Organisation.objects.filter(pk__in=[i for i in ids if i])}
    later = HistoryEntry.objects.filter(organisation_id__in=list(organisations), applied_at__gte=cutoff)
    for entry in later.order_by("-applied_at", "-id").only(*_ENTRY_FIELDS):
        if entry.organisation_id is not None:
            _restore_organisation(organisations[entry.organisation_id], entry)
    return organisations


def _rebuild(
    models: Sequence[AIModel], cutoff: datetime.datetime
) -> tuple[list[PastModel], dict[int, dict[str, tuple[list[str], str]]]]:
    """The `models` (fresh instances, changed in place) as they stood at `cutoff`, those created
    since left out, and each one's evidence then: {model id: {dimension ref: (links, notes)}}."""
    models = [m for m in models if m.created_at < cutoff]
    ids = [m.pk for m in models]
    entries = list(
        HistoryEntry.objects.filter(ai_model_id__in=ids, applied_at__gte=cutoff)
        .order_by("-applied_at", "-id")
        .only(*_ENTRY_FIELDS)
    )
    created_later = {entry.ai_model_id for entry in entries if entry.field == "created"}
    org_ids = {m.organisation_id for m in models if m.organisation_id is not None}
    organisations = _past_organisations(org_ids | _organisation_ids(entries), cutoff)
    grades: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    evidence: dict[int, dict[str, tuple[list[str], str]]] = {pk: {} for pk in ids}
    for model_id, ref, grade, links, notes in Assessment.objects.filter(ai_model_id__in=ids).values_list(
        "ai_model_id", "dimension__ref", "grade", "links", "notes"
    ):
        grades[model_id][ref] = grade
        evidence[model_id][ref] = (list(links or []), notes or "")
    pasts: dict[int, PastModel] = {}
    for model in models:
        if model.pk in created_later:
            continue
        model.organisation = organisations.get(model.organisation_id or 0)
        for name in FIGURE_FIELDS:  # today's adoption figures are no part of a past index
            setattr(model, name, None)
        pasts[model.pk] = PastModel(model, grades[model.pk])
    for entry in entries:
        model_id = entry.ai_model_id or 0
        past = pasts.get(model_id)
        if past is None:
            continue
        _restore_model(past, entry, organisations)
        if entry.field.startswith(ASSESSMENT_PREFIX):
            before = entry.before if isinstance(entry.before, dict) else {}
            links = before.get("links") or []
            evidence[model_id][entry.field[len(ASSESSMENT_PREFIX) :]] = (
                [links] if isinstance(links, str) else list(links),
                before.get("notes") or "",
            )
    return list(pasts.values()), evidence


def _rows(
    pasts: Sequence[PastModel],
    evidence: dict[int, dict[str, tuple[list[str], str]]],
    columns: Columns,
    cutoff: datetime.datetime,
) -> list[IndexRow]:
    """Index rows of the rebuilt models, with their evidence then, scored as the pinned index
    scores them: stored scores while nothing they depend on changed, else the score formula over
    the columns' registry (three queries)."""
    specs = [columns.spec(d) for d in columns.dimensions]
    by_ref = {d.ref: d for d in columns.dimensions}
    ids = [past.model.pk for past in pasts]
    stored = category_scores_by_model([p.model.pk for p in pasts if not (p.rescore or columns.historical)])
    assessments: dict[int, dict[int, Assessment]] = {}
    category_scores: dict[int, dict[int, float | None]] = {}
    for past in pasts:
        pk = past.model.pk
        assessments[pk] = {
            by_ref[ref].pk: Assessment(
                grade=grade, links=evidence[pk].get(ref, ([], ""))[0], notes=evidence[pk].get(ref, ([], ""))[1]
            )
            for ref, grade in past.grades.items()
            if ref in by_ref
        }
        if past.rescore or columns.historical:
            scores = compute_scores(specs, past.model.type_list, past.grades)
            past.model.total_score = float(scores.total or 0)
            category_scores[pk] = {
                c.pk: None if scores.categories.get(c.ref) is None else float(scores.categories[c.ref] or 0)
                for c in columns.categories
            }
        else:  # grades and types as today: the stored scores hold
            category_scores[pk] = dict(stored[pk])
    return build_rows(
        [past.model for past in pasts],
        columns,
        assessments=assessments,
        category_scores=category_scores,
        reviewed=reviewed_evidence(ids, before=cutoff),
    )


def rows_as_of(models: Sequence[AIModel], moment: Moment, columns: Columns) -> dict[int, IndexRow]:
    """{model id: row} of those of `models` (fresh instances, changed in place) that were in the
    published index at `moment`, as it showed them: values, organisation and classification,
    grades with their evidence, total and category scores by `columns` (`as_of.columns_on`)."""
    pasts, evidence = _rebuild(models, end_of_day(moment))
    shown = [past for past in pasts if was_public(past)]
    return {row.model.pk: row for row in _rows(shown, evidence, columns, end_of_day(moment))}


def model_as_of(slug: str, moment: Moment, columns: Columns) -> IndexRow | None:
    """The row of the model `/models/<slug>/` as the published index showed it at `moment`
    (see `rows_as_of`); None when it was not in that index (added, published or deleted since,
    unpublished then, or no such model). A fixed number of queries."""
    model = AIModel.objects.filter(slug=slug).first()
    if model is None:
        return None
    return rows_as_of([model], moment, columns).get(model.pk)


def compare_as_of(slugs: Sequence[str], moment: Moment, columns: Columns) -> tuple[list[IndexRow], list[str]]:
    """Rows of the models named by `slugs` at `moment`, in the order asked, and the slugs of
    those that were not in the published index then."""
    found = rows_as_of(list(AIModel.objects.filter(slug__in=list(slugs))), moment, columns)
    by_slug = {row.model.slug: row for row in found.values()}
    return [by_slug[s] for s in slugs if s in by_slug], [s for s in slugs if s not in by_slug]


@dataclass
class PastOrganisation:
    """An organisation as it stood at a moment (`organisation`, unsaved values, with
    `public_model_count` and `mean_total_score`, a fraction 0-1 or None, as the live page reads
    them) and its published models then as index rows, in index order."""

    organisation: Organisation
    rows: list[IndexRow]


def _index_order(rows: list[IndexRow]) -> list[IndexRow]:
    """The index's default order: total descending, then upstream file name descending, name, id."""
    rows = sorted(rows, key=lambda r: (r.model.name.lower(), r.model.pk or 0))
    rows = sorted(rows, key=lambda r: r.model.upstream_filename or "", reverse=True)
    return sorted(rows, key=lambda r: r.model.total_score or 0, reverse=True)


def organisation_as_of(slug: str, moment: Moment, columns: Columns) -> PastOrganisation | None:
    """The organisation `/organisations/<slug>/` and its published models at `moment`: those it
    had then, including models moved to another organisation since. None when it was not
    published then, or was added since without models then."""
    cutoff = end_of_day(moment)
    today = Organisation.objects.filter(slug=slug).first()
    if today is None:
        return None
    moved_away = [
        entry.ai_model_id or 0
        for entry in HistoryEntry.objects.filter(field="organisation", applied_at__gte=cutoff, ai_model__isnull=False)
        .exclude(ai_model__organisation_id=today.pk)
        .only("ai_model_id", "field", "before")
        if today.pk in _organisation_ids([entry])
    ]
    candidates = AIModel.objects.filter(organisation_id=today.pk) | AIModel.objects.filter(pk__in=moved_away)
    found = rows_as_of(list(candidates), moment, columns)
    rows = _index_order([row for row in found.values() if row.model.organisation_id == today.pk])
    organisation = _past_organisations([today.pk], cutoff)[today.pk]
    if not organisation.is_public or (organisation.created_at >= cutoff and not rows):
        return None
    for row in rows:
        row.model.organisation = organisation
    totals = [row.model.total_score for row in rows if row.model.total_score is not None]
    # The live page's aggregates (queries.public_organisations), worked out from the rows then.
    organisation.public_model_count = len(rows)  # type: ignore[attr-defined]
    organisation.mean_total_score = sum(totals) / len(totals) if totals else None  # type: ignore[attr-defined]
    return PastOrganisation(organisation, rows)


def changelog_until(model: AIModel, moment: Moment) -> list[PublicChange]:
    """The model's public changelog (curation.history.public_changelog) as it stood at
    `moment`: the changes applied before it, newest first."""
    cutoff = end_of_day(moment)
    return [change for change in public_changelog(model) if change.applied_at < cutoff]


def score_history_until(model: AIModel, moment: Moment) -> list[ScorePoint]:
    """The model's openness over time (queries.model_score_history: rebuilt from today's grades
    and types, scored with today's dimensions) up to `moment`: the days whose end came before
    it, oldest first. `model` may be a rebuilt past copy: only its id is read."""
    cutoff = end_of_day(moment)
    today = AIModel.objects.get(pk=model.pk)
    return [point for point in model_score_history(today, registry_columns()) if end_of_day(point.day) <= cutoff]


def last_reviewed_until(changelog: Sequence[PublicChange]) -> datetime.date | None:
    """The day of the newest approved change in `changelog` (newest first), or None."""
    reviewed = next((change for change in changelog if change.source == SOURCE_REVIEW), None)
    return reviewed.applied_at.date() if reviewed else None
