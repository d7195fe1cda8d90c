"""Each model's grades and category scores stored on its own row (`AIModel.grade_by_dimension`,
`AIModel.score_by_category`): equal to its assessments and CategoryScore rows after every
service that changes them, filled by the migration, and what the index's grade filters and
category and dimension orderings read."""

from __future__ import annotations

import importlib
import random

import pytest
from django.http import QueryDict

from curation import vocab
from curation.models import AIModel, Assessment, CategoryScore


def _from_tables() -> dict[int, tuple[dict, dict]]:
    """{model id: ({dimension ref: grade}, {category ref: score})} read from the tables the row
    form is derived from."""
    found: dict[int, tuple[dict, dict]] = {pk: ({}, {}) for pk in AIModel.objects.values_list("pk", flat=True)}
    for model_id, ref, grade in Assessment.objects.values_list("ai_model_id", "dimension__ref", "grade"):
        found[model_id][0][ref] = grade
    for model_id, ref, score in CategoryScore.objects.values_list("ai_model_id", "category__ref", "score"):
        found[model_id][1][ref] = score
    return found


def _on_rows() -> dict[int, tuple[dict, dict]]:
    return {
        pk: (grades, scores)
        for pk, grades, scores in AIModel.objects.values_list("pk", "grade_by_dimension", "score_by_category")
    }


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.org", "x")


def test_the_row_form_follows_review_services(make_ai_model, admin_user):
    from curation.review.services import edit_directly

    model = make_ai_model("Changing", grades={"licenses": "open"})
    other = make_ai_model("Other", grades={"weights_basemodel": "partial"})
    assert _on_rows() == _from_tables()
    assert model.grade_by_dimension["licenses"] == "open"
    assert model.score_by_category and all(isinstance(v, float) for v in model.score_by_category.values())

    licence = {"grade": "partial", "links": ["https://example.org/licence"], "notes": "Some terms."}
    edit_directly(
        model,
        "assessment:licenses",
        licence,
        user=admin_user,
        rationale="Terms added",
        evidence_link="https://example.org/licence",
    )
    edit_directly(other, "types", "text,image", user=admin_user, rationale="Image output too")
    model.refresh_from_db()
    assert model.grade_by_dimension["licenses"] == "partial"
    assert _on_rows() == _from_tables()


def test_the_migration_fills_the_row_form_from_the_tables(make_ai_model):
    from django.apps import apps

    for i in range(5):
        make_ai_model(f"Model {i}", grades={"licenses": ["open", "partial", "closed"][i % 3]})
    expected = _from_tables()
    AIModel.objects.update(grade_by_dimension={}, score_by_category={})
    migration = importlib.import_module("curation.migrations.0021_grades_and_scores_on_the_model_row")
    migration.store_grades_and_scores(apps, None)
    assert _on_rows() == expected
    assert all(grades for grades, _scores in expected.values())


@pytest.fixture
def graded_index(registry):
    """Forty models of random grades, types and organisations (synthetic data, a fixed seed)."""
    from curation.synthetic import populate_synthetic

    return populate_synthetic(40, seed=11, prefix="Graded")


def _expected(query: QueryDict) -> list[str]:
    """The index's names for `query` (grade filters and a category or dimension ordering only),
    worked out here from the Assessment and CategoryScore rows."""
    tables = _from_tables()
    kept = []
    for model in AIModel.objects.public():
        grades, scores = tables[model.pk]
        if all(
            grades.get(name.removeprefix("grade_")) in query.getlist(name)
            for name in query
            if name.startswith("grade_")
        ):
            kept.append((model, grades, scores))
    ordering = query.get("ordering", "")
    key_name = ordering.lstrip("-")

    def value(item):
        _model, grades, scores = item
        if key_name.startswith("category_"):
            return scores.get(key_name.removeprefix("category_"))
        grade = grades.get(key_name.removeprefix("dimension_"))
        return None if grade is None else float(vocab.GRADE_POINTS.get(grade, 0))

    descending = ordering.startswith("-")
    # Ties: the upstream file name descending, then the name case-insensitively, then the id.
    kept.sort(key=lambda item: item[0].pk)
    kept.sort(key=lambda item: item[0].name.lower())
    kept.sort(key=lambda item: item[0].upstream_filename, reverse=True)
    present = [item for item in kept if value(item) is not None]
    missing = [item for item in kept if value(item) is None]
    present.sort(key=value, reverse=descending)
    return [item[0].name for item in present + missing]


@pytest.mark.parametrize(
    "query",
    [
        "grade_licenses=open&ordering=-category_availability",
        "grade_weights_basemodel=open&grade_weights_basemodel=partial&ordering=category_documentation",
        "grade_licenses=closed&grade_datasheet=not_assessed&ordering=-dimension_weights_basemodel",
        "ordering=dimension_licenses",
        "grade_licenses=partial&ordering=-category_access",
    ],
)
def test_grade_filters_and_score_orderings_read_the_row_form(graded_index, query):
    from curation.public import queries

    data = QueryDict(query)
    filterset, rows = queries.filtered_index(data)
    assert filterset.is_valid(), filterset.form.errors
    got = [model.name for model in rows]
    assert got == _expected(data)
    assert got or "not_assessed" in query


def test_a_model_without_a_grade_on_a_dimension_sorts_last_and_is_not_matched(make_ai_model):
    from curation.assessments import recompute_scores
    from curation.public import queries

    graded = make_ai_model("Graded", grades={"licenses": "open"})
    ungraded = make_ai_model("Ungraded", grades={"licenses": "partial"})
    Assessment.objects.filter(ai_model=ungraded, dimension__ref="licenses").delete()
    recompute_scores([ungraded])
    for ordering in ("dimension_licenses", "-dimension_licenses"):
        _filterset, rows = queries.filtered_index(QueryDict(f"ordering={ordering}"))
        assert [m.name for m in rows] == [graded.name, ungraded.name]
    for grade in vocab.Grade.values:
        _filterset, rows = queries.filtered_index(QueryDict(f"grade_licenses={grade}"))
        assert ungraded.name not in [m.name for m in rows]


def test_grades_filter_the_same_on_every_random_draw(graded_index):
    """A random sample of grade-filter combinations: the row form gives the tables' answer."""
    from curation.public import queries

    rng = random.Random(3)
    refs = list(AIModel.objects.values_list("grade_by_dimension", flat=True)[0])
    for _ in range(25):
        parts = []
        for ref in rng.sample(refs, rng.randint(1, 3)):
            parts += [f"grade_{ref}={grade}" for grade in rng.sample(vocab.Grade.values, rng.randint(1, 2))]
        data = QueryDict("&".join(parts) + "&ordering=-category_availability")
        _filterset, rows = queries.filtered_index(data)
        assert [m.name for m in rows] == _expected(data), data.urlencode()
