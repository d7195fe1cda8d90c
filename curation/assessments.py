"""Services over assessments: keeping each model's stored scores equal to its grades, and reading
grades and scores of many models at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Aggregate, CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat

from curation.models import AIModel, Assessment, CategoryScore, DimensionCategory
from curation.registry import scoring_dimensions
from curation.scoring import DimensionSpec, compute_scores


def recompute_scores(ai_models: Iterable[AIModel], dimensions: list[DimensionSpec] | None = None) -> int:
    """Recompute and store total and category scores of the given models, and the stored form
    of their grades and scores on their own rows (`AIModel.grade_by_dimension`: {dimension ref:
    grade}; `AIModel.score_by_category`: {category ref: score}, as the CategoryScore rows).

    Runs in bulk (a fixed number of queries per batch, not per model). Returns how many models'
    total score changed.
    """
    models = list(ai_models)
    if not models:
        return 0
    dimensions = dimensions if dimensions is not None else scoring_dimensions()
    categories = {c.ref: c.pk for c in DimensionCategory.objects.all()}
    grades: dict[int, dict[str, str]] = {m.pk: {} for m in models}
    for model_id, ref, grade in Assessment.objects.filter(ai_model__in=models).values_list(
        "ai_model_id", "dimension__ref", "grade"
    ):
        grades[model_id][ref] = grade

    rescored = 0
    changed = []
    category_rows: list[CategoryScore] = []
    with transaction.atomic():
        for model in models:
            total, per_category = compute_scores(dimensions, model.type_list, grades[model.pk]).as_floats()
            stored_scores = {ref: score for ref, score in per_category.items() if ref in categories}
            if model.total_score != total:
                rescored += 1
            if _stored_form(model) != (total, grades[model.pk], stored_scores):
                model.total_score = total
                model.grade_by_dimension = grades[model.pk]
                model.score_by_category = stored_scores
                changed.append(model)
            category_rows.extend(
                CategoryScore(ai_model=model, category_id=categories[ref], score=score)
                for ref, score in stored_scores.items()
            )
        if changed:
            AIModel.objects.bulk_update(changed, list(_ROW_FORM), batch_size=500)
        CategoryScore.objects.filter(ai_model__in=models).delete()
        CategoryScore.objects.bulk_create(category_rows, batch_size=1000)
    return rescored


_ROW_FORM = ("total_score", "grade_by_dimension", "score_by_category")


def _stored_form(model: AIModel) -> tuple | None:
    """What `model` (as loaded) holds of the scores and grades on its row; None when a field of
    them was not loaded (the row is then written without reading it, one query less per model)."""
    if model.get_deferred_fields() & set(_ROW_FORM):
        return None
    return model.total_score, model.grade_by_dimension, model.score_by_category


def recompute_all_scores() -> int:
    return recompute_scores(AIModel.objects.all())


# --- reading grades and scores for many models at once ------------------------------------------


def grades_by_model(model_ids: Iterable[int], *, evidence: bool = False) -> dict[int, dict[int, object]]:
    """{model id: {dimension id: grade}} in one query; with `evidence`, each value is
    (grade, links, notes). Plain values, not Assessment objects: a page of the index holds
    over a thousand of them."""
    ids = list(model_ids)
    found: dict[int, dict[int, object]] = {pk: {} for pk in ids}
    if not ids:
        return found
    fields = ["ai_model_id", "dimension_id", "grade"] + (["links", "notes"] if evidence else [])
    for model_id, dimension_id, *values in Assessment.objects.filter(ai_model_id__in=ids).values_list(*fields):
        found[model_id][dimension_id] = tuple(values) if evidence else values[0]
    return found


# Separators no grade text contains (upstream's grades are kept verbatim, commas included).
_PAIR_SEPARATOR, _KEY_SEPARATOR = "\x1e", "\x1f"


class _JoinedText(Aggregate):
    """The texts of a group joined by a separator (PostgreSQL's string_agg, SQLite's group_concat)."""

    function = "STRING_AGG"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def joined_pairs_by_model(queryset: QuerySet, key: str, value: str) -> dict[int, str]:
    """{model id: its (key, value) pairs as one text} over the rows of `queryset` (assessments or
    category scores), joined per model by the database: one row per model instead of one per
    grade, for reading a whole index of 100,000 models as plain values. Read with `split_pairs`."""
    pair = Concat(Cast(key, CharField()), Value(_KEY_SEPARATOR), Cast(value, CharField()), output_field=CharField())
    joined = (
        queryset.order_by()
        .values("ai_model_id")
        .annotate(pairs=_JoinedText(pair, Value(_PAIR_SEPARATOR)))
        .values_list("ai_model_id", "pairs")
    )
    return dict(joined.iterator(chunk_size=2000))


def join_pairs(pairs: Iterable[tuple[int, str]]) -> str:
    """One model's [(key, value)] as the text `joined_pairs_by_model` gives (read by `split_pairs`)."""
    return _PAIR_SEPARATOR.join(f"{key}{_KEY_SEPARATOR}{value}" for key, value in pairs)


def split_pairs(joined: str | None) -> list[tuple[int, str]]:
    """[(key, value)] of one model's `joined_pairs_by_model` text ([] for None or "")."""
    pairs = []
    for pair in (joined or "").split(_PAIR_SEPARATOR):
        key, _, value = pair.partition(_KEY_SEPARATOR)
        if key:
            pairs.append((int(key), value))
    return pairs


def category_scores_by_model(model_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    """{model id: {category id: stored score}} in one query."""
    ids = list(model_ids)
    found: dict[int, dict[int, float]] = {pk: {} for pk in ids}
    if not ids:
        return found
    for model_id, category_id, score in CategoryScore.objects.filter(ai_model_id__in=ids).values_list(
        "ai_model_id", "category_id", "score"
    ):
        found[model_id][category_id] = score
    return found
