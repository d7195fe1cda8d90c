"""Following upstream over time: re-imports never silently revert a change approved in review."""

from __future__ import annotations

from django.core.management import call_command

from curation.history import public_changelog
from curation.interchange import import_index
from curation.models import AIModel, Assessment, ChangeRequest
from curation.review import services

from .interchange_files import model_file
from .review_fixtures import new_grade


def _grade(model, ref):
    return Assessment.objects.get(ai_model=model, dimension__ref=ref).grade


def test_a_reimport_keeps_a_reviewed_grade_and_proposes_upstreams_instead(db, people, tmp_path):
    (tmp_path / "m.yaml").write_text(model_file("Kept Model", grades={"paper": "closed"}))
    import_index(tmp_path)
    model = AIModel.objects.get()
    cr = services.propose(
        model,
        "assessment:paper",
        new_grade("open"),
        user=people.curator,
        rationale="Paper is out",
        evidence_link="https://example.org/paper",
    )
    services.approve(cr, people.reviewer)

    # The same files again: the reviewed grade stays; upstream's value becomes a change request.
    report = import_index(tmp_path)
    assert [(c.target.pk, c.field) for c in report.conflicts] == [(model.pk, "assessment:paper")]
    assert _grade(model, "paper") == "open"
    pending = ChangeRequest.objects.get(state=ChangeRequest.State.PENDING, source_value=ChangeRequest.UPSTREAM_CONFLICT)
    assert pending.field == "assessment:paper" and pending.after["grade"] == "closed"
    assert pending.before["grade"] == "open"
    # Importing again neither asks twice nor overwrites while the request waits.
    report = import_index(tmp_path)
    assert report.conflicts == [] and _grade(model, "paper") == "open"
    # A reviewer rejects it; upstream's value does not come back by a later import either.
    services.reject(pending, people.reviewer, comment="The paper is open")
    import_index(tmp_path)
    assert _grade(model, "paper") == "open"
    # Upstream changes the grade later: a new conflict, a new request.
    cr2 = services.propose(
        model,
        "assessment:paper",
        new_grade("open", notes="v2"),
        user=people.curator,
        rationale="More",
        evidence_link="https://example.org/paper",
    )
    services.approve(cr2, people.reviewer)
    (tmp_path / "m.yaml").write_text(model_file("Kept Model", grades={"paper": "partial"}))
    report = import_index(tmp_path)
    assert [c.field for c in report.conflicts] == ["assessment:paper"] and _grade(model, "paper") == "open"
    assert ChangeRequest.objects.filter(source_value=ChangeRequest.UPSTREAM_CONFLICT).count() == 2
    # The public changelog never shows where the files were read.
    for change in public_changelog(model):
        assert str(tmp_path) not in change.rationale and "/" not in change.rationale


def test_rerunning_the_demo_command_keeps_an_approved_grade(db, people, settings):
    settings.DEBUG = True
    call_command("bootstrap_demo")
    model = AIModel.objects.filter(upstream_filename__endswith=".yaml").order_by("pk").first()
    ref = (
        Assessment.objects.filter(ai_model=model).exclude(grade="open").values_list("dimension__ref", flat=True).first()
    )
    cr = services.propose(
        model,
        f"assessment:{ref}",
        new_grade("open"),
        user=people.curator,
        rationale="Evidence",
        evidence_link="https://example.org/e",
    )
    services.approve(cr, people.reviewer)
    call_command("bootstrap_demo")
    assert _grade(model, ref) == "open"
    assert all("/" not in c.rationale for c in public_changelog(model))


def test_a_reimport_keeps_a_superusers_direct_edit_as_it_keeps_a_reviewed_change(db, people, tmp_path):
    (tmp_path / "m.yaml").write_text(model_file("Edited Model", grades={"paper": "closed"}))
    import_index(tmp_path)
    model = AIModel.objects.get()
    services.edit_directly(
        model,
        "assessment:paper",
        new_grade("open"),
        user=people.superuser,
        rationale="Paper is out",
        evidence_link="https://example.org/paper",
    )

    report = import_index(tmp_path)
    assert [(c.target.pk, c.field) for c in report.conflicts] == [(model.pk, "assessment:paper")]
    assert report.updated == [] and _grade(model, "paper") == "open"
    pending = ChangeRequest.objects.get(state=ChangeRequest.State.PENDING, source_value=ChangeRequest.UPSTREAM_CONFLICT)
    assert pending.before["grade"] == "open" and pending.after["grade"] == "closed"
    report = import_index(tmp_path)
    assert report.conflicts == [] and _grade(model, "paper") == "open"


def test_a_reimport_still_applies_upstream_over_a_drafts_edit_and_its_own_changes(db, people, tmp_path):
    # Only a person's decision is kept: the importer's own history entries never block upstream.
    (tmp_path / "m.yaml").write_text(model_file("Followed Model", grades={"paper": "closed"}))
    import_index(tmp_path)
    (tmp_path / "m.yaml").write_text(model_file("Followed Model", grades={"paper": "partial"}))
    import_index(tmp_path)
    (tmp_path / "m.yaml").write_text(model_file("Followed Model", grades={"paper": "open"}))
    report = import_index(tmp_path)
    assert report.conflicts == [] and _grade(AIModel.objects.get(), "paper") == "open"


def test_rerunning_the_demo_command_keeps_a_superusers_admin_edit(db, people, settings, capsys):
    settings.DEBUG = True
    call_command("bootstrap_demo")
    model = AIModel.objects.filter(upstream_filename__endswith=".yaml").order_by("pk").first()
    ref = (
        Assessment.objects.filter(ai_model=model).exclude(grade="open").values_list("dimension__ref", flat=True).first()
    )
    outcome = services.save_entry(
        model,
        user=people.superuser,
        classified={f"assessment:{ref}": new_grade("open")},
        rationale="Weights published",
        evidence_link="https://example.org/w",
    )
    assert outcome.applied and not outcome.proposals
    capsys.readouterr()
    call_command("bootstrap_demo")
    out = capsys.readouterr().out
    assert _grade(model, ref) == "open"
    assert "1 updated" not in out
    assert ChangeRequest.objects.filter(
        ai_model=model,
        field=f"assessment:{ref}",
        source_value=ChangeRequest.UPSTREAM_CONFLICT,
        state=ChangeRequest.State.PENDING,
    ).exists()
