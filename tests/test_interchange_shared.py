"""Importing and exporting the real upstream snapshot (../shared/data/main-database)."""

from __future__ import annotations

from fractions import Fraction

import pytest
import yaml

from curation.interchange import export_index, import_index
from curation.models import AIModel, Assessment, CategoryScore, DataChange, Organisation

TEMPLATE = "a_submission_template.yaml"


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8-sig"))


def _whitespace_normalised(value):
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list):
        return [_whitespace_normalised(v) for v in value]
    if isinstance(value, dict):
        return {k: _whitespace_normalised(v) for k, v in value.items()}
    return value


def _expected_scores(parameters, data):
    """The upstream formula, computed here from the raw YAML on its own terms."""
    points = {"open": Fraction(1), "partial": Fraction(1, 2)}
    model_types = {t.strip() for t in str((data.get("system") or {}).get("type") or "").split(",") if t.strip()}
    per_category, overall = {}, []
    for category in parameters:
        values = []
        for param in category["params"]:
            if model_types and not model_types & set(param["types"]):
                continue
            grade = str(((data.get(param["ref"]) or {}).get("class")) or "").strip().lower()
            values.append(points.get(grade, Fraction(0)))
        per_category[category["ref"]] = sum(values) / len(values) if values else Fraction(0)
        overall += values
    return sum(overall) / len(overall), per_category


@pytest.fixture
def imported(db, shared_database):
    return import_index(shared_database)


def test_every_file_is_imported_or_reported_with_its_reason(imported, shared_database):
    model_files = sorted(p.name for p in shared_database.glob("*.yaml") if p.name != TEMPLATE)
    # The submission template is recognised and ignored, as upstream's site ignores it.
    assert sorted(imported.created) == model_files
    assert imported.skipped == []
    assert AIModel.objects.count() == len(model_files)
    # Every active dimension has an assessment per model.
    assert Assessment.objects.filter(dimension__is_active=True).count() == AIModel.objects.count() * 12


def test_stored_scores_equal_an_independent_computation_from_the_yaml(imported, shared_database):
    parameters = _load(shared_database / "_parameters.yml")
    stored_categories = {}
    for model_id, ref, score in CategoryScore.objects.values_list("ai_model_id", "category__ref", "score"):
        stored_categories.setdefault(model_id, {})[ref] = score
    checked = 0
    for path in sorted(shared_database.glob("*.yaml")):
        if path.name == TEMPLATE:
            continue
        data = _load(path)
        model = AIModel.objects.get(upstream_filename=path.name)
        total, per_category = _expected_scores(parameters, data)
        assert model.total_score == pytest.approx(float(total), abs=1e-12), path.name
        assert stored_categories[model.pk] == pytest.approx(
            {ref: float(v) for ref, v in per_category.items()}, abs=1e-12
        ), path.name
        checked += 1
    assert checked == 193


def test_each_model_row_holds_its_grades_and_the_yamls_category_scores(imported, shared_database):
    """The stored form the index filters and orders by (AIModel.grade_by_dimension and
    score_by_category) on every upstream file: its assessments' grades, and the category scores
    of the upstream formula computed from the raw YAML."""
    parameters = _load(shared_database / "_parameters.yml")
    grades = {}
    for model_id, ref, grade in Assessment.objects.values_list("ai_model_id", "dimension__ref", "grade"):
        grades.setdefault(model_id, {})[ref] = grade
    checked = 0
    for path in sorted(shared_database.glob("*.yaml")):
        if path.name == TEMPLATE:
            continue
        model = AIModel.objects.get(upstream_filename=path.name)
        _total, per_category = _expected_scores(parameters, _load(path))
        assert model.grade_by_dimension == grades[model.pk], path.name
        assert model.score_by_category == pytest.approx(
            {ref: float(v) for ref, v in per_category.items()}, abs=1e-12
        ), path.name
        checked += 1
    assert checked == 193


def test_classification_tags_are_mapped_and_older_spellings_resolved(imported):
    deepseek = Organisation.objects.get(name="DeepSeek")
    assert (deepseek.origin_scope, deepseek.country.code, deepseek.sector, deepseek.big_tech_bloc) == (
        "country",
        "CN",
        "non_academic",
        "chinese_ai_tiger",
    )
    assert deepseek.region == "east_asia"
    # Meta is tagged "Non-academic (Big Tech)" in one file: resolved to American Big Tech from
    # the national origin, so it does not conflict with the files that say so explicitly.
    meta = Organisation.objects.get(name="Meta")
    assert meta.big_tech_bloc == "american_big_tech"
    assert meta.classification_status == "classified"
    proton = Organisation.objects.get(name="Proton")
    assert (proton.origin_scope, proton.big_tech_bloc) == ("undisclosed", "european_big_tech")
    international = Organisation.objects.get(name="BigCode")
    assert (international.origin_scope, international.region) == ("international", "international")


def test_files_of_one_organisation_with_different_tags_keep_their_own(imported):
    baai = Organisation.objects.get(name="Beijing Academy of Artificial Intelligence")
    # Five of its six files say Non-academic (Research institution): that is its usual one.
    assert (baai.sector, baai.contributor_kind, baai.classification_status) == (
        "non_academic",
        "research_institution",
        "classified",
    )
    assert baai.contributor_tag == "Non-academic (Research institution)"
    omnigen = AIModel.objects.get(upstream_filename="OmniGen.yaml")
    assert omnigen.own_contributor == {"sector": "academic", "kind": "individual", "bloc": "none"}
    assert omnigen.own_origin is None  # China, as its organisation
    assert AIModel.objects.get(upstream_filename="AltDiffusion.yaml").own_contributor is None
    assert not [w for w in imported.warnings if "conflict" in w.reason]
    assert baai not in imported.organisations_needing_review


def test_second_import_changes_nothing(imported, shared_database):
    data_version = DataChange.objects.count()
    fingerprint = list(AIModel.objects.order_by("pk").values_list("pk", "updated_at", "total_score"))
    again = import_index(shared_database)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 193)
    assert again.changes == []
    assert DataChange.objects.count() == data_version
    assert list(AIModel.objects.order_by("pk").values_list("pk", "updated_at", "total_score")) == fingerprint


def test_export_parses_to_the_same_data_for_every_file_and_reimports_without_changes(
    imported, shared_database, tmp_path
):
    export_index(tmp_path)
    mismatches = []
    compared = 0
    for source in sorted(shared_database.glob("*.yaml")):
        if source.name == TEMPLATE:
            continue
        exported = tmp_path / source.name
        if not exported.exists():
            mismatches.append(f"{source.name}: not exported")
            continue
        if _whitespace_normalised(_load(source)) != _whitespace_normalised(_load(exported)):
            mismatches.append(source.name)
        compared += 1
    assert mismatches == []
    assert compared == 193
    # The organisation tags travel as comments.
    assert "# - Contributor type: Non-academic (Chinese AI Tiger)" in (tmp_path / "deepseek-v3.yaml").read_text()

    again = import_index(tmp_path)
    assert (len(again.created), len(again.updated), len(again.skipped)) == (0, 0, 0)
    assert len(again.unchanged) == 193
    assert again.changes == []
    assert not again.registry_changed
