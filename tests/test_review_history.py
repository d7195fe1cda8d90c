"""History rows are append-only; import runs are recorded; readers get a changelog without
private notes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from curation.history import last_reviewed_on, public_changelog
from curation.models import ChangeRequest, HistoryEntry, ImportRun
from curation.models.history import HistoryIsImmutable
from curation.review import services
from curation.review.errors import ValidationFailed

from .review_fixtures import new_grade

pytestmark = pytest.mark.django_db
WEIGHTS = "assessment:weights_endmodel"


@pytest.fixture
def entry(people, graded_model):
    cr = services.propose(
        graded_model,
        WEIGHTS,
        new_grade("open"),
        user=people.curator,
        rationale="Weights public",
        evidence_link="https://example.org/w",
    )
    return services.approve(cr, people.reviewer, "PRIVATE: spoke to the lab")


def test_history_rows_cannot_be_changed_or_deleted(entry):
    entry.rationale = "rewritten"
    with pytest.raises(HistoryIsImmutable):
        entry.save()
    with pytest.raises(HistoryIsImmutable):
        entry.delete()
    with pytest.raises(HistoryIsImmutable):
        HistoryEntry.objects.filter(pk=entry.pk).update(rationale="rewritten")
    with pytest.raises(HistoryIsImmutable):
        HistoryEntry.objects.all().delete()
    run = ImportRun.objects.create(source="x")
    with pytest.raises(HistoryIsImmutable):
        ImportRun.objects.filter(pk=run.pk).update(source="y")
    entry.refresh_from_db()
    assert entry.rationale == "Weights public"
    assert HistoryEntry.objects.count() == 1


def test_public_changelog_leaves_out_private_notes_and_people(entry, graded_model):
    changes = public_changelog(graded_model)
    assert len(changes) == 1
    change = changes[0]
    assert change.field_label.startswith("End User Model Weights")
    assert change.before == "Partial" and change.after.startswith("Open — https://example.org/evidence")
    assert change.rationale == "Weights public" and change.source == "review"
    flattened = repr(change)
    assert "PRIVATE" not in flattened and "curator" not in flattened and "reviewer" not in flattened
    assert last_reviewed_on(graded_model) == entry.applied_at.date()


def test_a_model_never_reviewed_has_no_review_date(graded_model):
    assert last_reviewed_on(graded_model) is None
    assert public_changelog(graded_model) == []


def _report(changes=(), unmapped=()):
    return SimpleNamespace(
        created=[1, 2],
        updated=1,
        unchanged=5,
        skipped=[("odd.yml", 3, "bad YAML")],
        organisations_needing_review=[],
        changes=list(changes),
        unmapped_tags=list(unmapped),
    )


def test_import_runs_record_history_and_turn_unmapped_tags_into_proposals(people, graded_model):
    organisation = graded_model.organisation
    report = _report(
        changes=[SimpleNamespace(target=graded_model, field="performance_class", before="", after="latest")],
        unmapped=[(organisation, "National origin", "Atlantis"), (organisation, "Contributor type", "Guild")],
    )
    run = services.record_import_run(report, user=people.superuser, source="../shared/data/main-database")
    assert (run.created_count, run.updated_count, run.unchanged_count, run.skipped_count) == (2, 1, 5, 1)
    assert run.summary["skipped"] == [["odd.yml", 3, "bad YAML"]]
    (history,) = run.history_entries.all()
    assert (history.ai_model, history.field, history.before, history.after) == (
        graded_model,
        "performance_class",
        "",
        "latest",
    )
    assert changelog_sources(graded_model) == ["import"]

    questions = ChangeRequest.objects.filter(state="pending").order_by("field")
    assert [(q.field, q.source_value, q.proposer.username) for q in questions] == [
        ("contributor_type", "Guild", services.IMPORTER_USERNAME),
        ("national_origin", "Atlantis", services.IMPORTER_USERNAME),
    ]
    assert questions[1].before == {"scope": "country", "country": "US"}
    assert not questions[0].proposer.has_usable_password() and not questions[0].proposer.is_active

    services.record_import_run(report, user=people.superuser, source="again")
    assert ChangeRequest.objects.filter(state="pending").count() == 2  # not asked twice

    origin_question = questions[1]
    with pytest.raises(ValidationFailed, match="could not map 'Atlantis'"):
        services.approve(origin_question, people.reviewer)
    answer = services.propose(
        organisation,
        "national_origin",
        {"scope": "undisclosed", "country": ""},
        user=people.curator,
        rationale="Atlantis is not a country",
    )
    origin_question.refresh_from_db()
    assert origin_question.state == "withdrawn"
    assert origin_question.decision_comment == f"Superseded by change request #{answer.pk}"


def changelog_sources(model):
    return [c.source for c in public_changelog(model)]


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_history_even_in_raw_sql(require_postgres, people, entry, graded_model):
    from django.db import DatabaseError, connection, transaction

    for statement in (
        "UPDATE curation_historyentry SET rationale = 'rewritten'",
        "UPDATE curation_historyentry SET ai_model_id = ai_model_id + 1000",
        "DELETE FROM curation_historyentry",
        "UPDATE curation_importrun SET source = 'elsewhere'",
    ):
        ImportRun.objects.create(source="x")
        with pytest.raises(DatabaseError, match="cannot be"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    services.delete_entry(graded_model, user=people.superuser)
    entry = HistoryEntry.objects.get(pk=entry.pk)  # the link is nulled, the row kept
    assert entry.ai_model_id is None and entry.rationale == "Weights public"
