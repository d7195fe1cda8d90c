"""Reading history for readers: a model's public changelog and when it was last reviewed.

Reader pages use these instead of HistoryEntry directly, so that reviewers' private comments,
and the names of the people involved, never reach a public page.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from curation.models import AIModel, Assessment, HistoryEntry
from curation.review.fields import ASSESSMENT_PREFIX, display_value, field_label
from curation.scoring import as_percent, compute_scores
from curation.vocab import Grade

# Where an applied change came from, as readers are told.
SOURCE_REVIEW, SOURCE_IMPORT, SOURCE_EDIT = "review", "import", "edit"
SOURCES = {
    SOURCE_REVIEW: "an approved proposal",
    SOURCE_IMPORT: "the upstream import",
    SOURCE_EDIT: "a direct edit",
}


@dataclass(frozen=True)
class PublicChange:
    applied_at: datetime.datetime
    field: str
    field_label: str
    before: str
    after: str
    rationale: str
    evidence_link: str
    source: str  # one of SOURCES

    @property
    def from_import(self) -> bool:
        return self.source == SOURCE_IMPORT


def _source(entry: HistoryEntry) -> str:
    if entry.import_run_id:
        return SOURCE_IMPORT
    if entry.change_request_id:
        return SOURCE_REVIEW
    return SOURCE_EDIT


def public_changelog(ai_model: AIModel, limit: int | None = None) -> list[PublicChange]:
    """Applied changes of one model, newest first, without private notes, people, or the edits
    made while it was a draft (readers only ever saw the reviewed content)."""
    # The upstream file name is kept in history for past views (`as_of`), not shown as a change.
    entries = (
        HistoryEntry.objects.filter(ai_model=ai_model, draft_edit=False)
        .exclude(field="upstream_filename")
        .order_by("-applied_at", "-id")
    )
    if limit:
        entries = entries[:limit]
    return [
        PublicChange(
            applied_at=e.applied_at,
            field=e.field,
            field_label=field_label(AIModel, e.field),
            before=display_value(AIModel, e.field, e.before),
            after=display_value(AIModel, e.field, e.after),
            rationale=e.rationale,
            evidence_link=e.evidence_link,
            source=_source(e),
        )
        for e in entries.only(
            "applied_at",
            "field",
            "before",
            "after",
            "rationale",
            "evidence_link",
            "change_request_id",
            "import_run_id",
        )
    ]


def last_reviewed_on(ai_model: AIModel) -> datetime.date | None:
    """The day a reviewer last approved a change to this model, or None if never."""
    applied = (
        HistoryEntry.objects.filter(ai_model=ai_model, change_request__isnull=False)
        .order_by("-applied_at")
        .values_list("applied_at", flat=True)
        .first()
    )
    return applied.date() if applied else None


@dataclass(frozen=True)
class ReviewedEvidence:
    """The evidence link of the approved change that set a grade as it stands."""

    link: str
    applied_at: datetime.datetime


def reviewed_evidence(model_ids, *, before: datetime.datetime | None = None) -> dict[tuple[int, str], ReviewedEvidence]:
    """{(model id, dimension ref): evidence} for grades whose latest change was an approved
    proposal with an evidence link (one query). A grade changed since (by an import or another
    change without a link) has none: its evidence is whatever the grade itself records. With
    `before`, the grades as they stood at that instant: only changes applied before it count."""
    latest: dict[tuple[int, str], tuple] = {}
    # Plain values in time order: the last one seen per grade is its latest change.
    changes = HistoryEntry.objects.filter(
        ai_model_id__in=list(model_ids), field__startswith=ASSESSMENT_PREFIX, draft_edit=False
    )
    if before is not None:
        changes = changes.filter(applied_at__lt=before)
    entries = changes.order_by("applied_at", "id").values_list(
        "ai_model_id", "field", "evidence_link", "change_request_id", "applied_at"
    )
    for model_id, field, link, change_request_id, applied_at in entries:
        latest[(model_id, field[len(ASSESSMENT_PREFIX) :])] = (link, change_request_id, applied_at)
    return {
        key: ReviewedEvidence(link, applied_at)
        for key, (link, change_request_id, applied_at) in latest.items()
        if change_request_id and link
    }


@dataclass(frozen=True)
class ScorePoint:
    """A model's openness at the end of a day its grades or types changed (percent, 0-100)."""

    day: datetime.date
    percent: int
    changed: tuple[str, ...]  # labels of the fields changed that day
    from_import: bool


def score_history(ai_model: AIModel, specs) -> list[ScorePoint]:
    """The model's openness after each day its history changed something, oldest first, rebuilt
    by undoing its history entries (newest first) from today's grades and types and scoring each
    state with the one formula (curation.scoring) over `specs`, the registry's dimensions as they
    are today. Days that left the score unchanged are left out, except the first."""
    grades = dict(Assessment.objects.filter(ai_model=ai_model).values_list("dimension__ref", "grade"))
    types = ai_model.type_list
    entries = (
        HistoryEntry.objects.filter(ai_model=ai_model, draft_edit=False)
        .order_by("-applied_at", "-id")
        .values_list("applied_at", "field", "before", "import_run_id")
    )
    by_day: dict[datetime.date, list[tuple]] = {}
    for applied_at, field, before, import_run_id in entries:
        by_day.setdefault(applied_at.date(), []).append((field, before, import_run_id))
    points: list[ScorePoint] = []
    for day, changes in by_day.items():  # newest day first
        scored = [c for c in changes if c[0].startswith(ASSESSMENT_PREFIX) or c[0] in ("types", "created")]
        if scored:
            total = compute_scores(specs, types, grades).total
            points.append(
                ScorePoint(
                    day,
                    as_percent(total),
                    tuple(dict.fromkeys(field_label(AIModel, c[0]) for c in scored)),
                    all(c[2] for c in scored),
                )
            )
        for field, before, _ in changes:
            if field.startswith(ASSESSMENT_PREFIX):
                grades[field[len(ASSESSMENT_PREFIX) :]] = (before or {}).get("grade") or Grade.NOT_ASSESSED
            elif field == "types":
                values = before if isinstance(before, list) else str(before or "").split(",")
                types = [v.strip() for v in values if v.strip()]
        if any(field == "created" for field, _, _ in changes):
            break
    points.reverse()
    return [p for i, p in enumerate(points) if i == 0 or p.percent != points[i - 1].percent]
