"""One test per case folder of ../shared/cases/upstream-fidelity: each right value of its README.

Cases with versions import v1, then v2, into one database, as the README says. The site's CSV is
compared with the upstream rules (tests/upstream_reference.py) where the case is about listing.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from curation.history import public_changelog
from curation.interchange import export_index, import_index
from curation.models import AIModel, Assessment, ChangeRequest, Dimension, HistoryEntry

from .conftest import UPSTREAM_CASES
from .upstream_reference import folder_files, upstream_csv


@pytest.fixture
def imports(django_capture_on_commit_callbacks):
    """import_index with its after-commit work run (the data version moves on, as in production)."""

    def run(path, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return import_index(path, **kwargs)

    return run


def _csv(client, path="/models.csv", **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def _pending_questions(model, field):
    return list(ChangeRequest.objects.filter(ai_model=model, field=field, state=ChangeRequest.State.PENDING))


def _exported(tmp_path, filename):
    out = tmp_path / "export"
    export_index(out)
    return (out / filename).read_text(encoding="utf-8")


def test_case_grade_typo(client, db, imports, upstream_cases, tmp_path):
    """grade-typo: imported; `parial` kept verbatim, scored 0, flagged; total 0.5000."""
    report = imports(upstream_cases / "grade-typo" / "data")
    assert report.created == ["m.yaml"] and report.skipped == []
    model = AIModel.objects.get(upstream_filename="m.yaml")
    assert Assessment.objects.get(ai_model=model, dimension__ref="trainingcode").grade == "unrecognised"
    assert [(w.file, w.line) for w in report.warnings] == [("m.yaml", 7)]
    assert "'parial'" in report.warnings[0].reason
    questions = _pending_questions(model, "assessment:trainingcode")
    assert [q.source_value for q in questions] == ["parial"]
    header, row = _csv(client)
    assert header == ["Model Name", "URL", "Total Score", "Base Model Weights", "Training Code"]
    assert row[0] == "Model A" and row[2:] == ["0.5000", "1", "0"]
    # Readers are told what it is; the export writes it back unchanged.
    page = client.get(f"/models/{model.slug}/").content.decode()
    assert "Unrecognised grade, under review" in page
    assert "    class: parial\n" in _exported(tmp_path, "m.yaml")


def test_case_empty_types(client, db, imports, upstream_cases):
    """empty-types: a dimension with `types: []` applies to no model: empty cell, total 1.0000."""
    imports(upstream_cases / "empty-types" / "data")
    assert Dimension.objects.get(ref="weights").applicable_types == ""
    header, row = _csv(client)
    assert header == ["Model Name", "URL", "Total Score", "Base Model Weights", "Model Weights"]
    assert row[0] == "Model A" and row[2:] == ["1.0000", "1", ""]


def test_case_empty_name(client, db, imports, upstream_cases, tmp_path):
    """empty-name: imported, shown under its file name `m`, flagged for review."""
    report = imports(upstream_cases / "empty-name" / "data")
    assert report.created == ["m.yaml"] and report.skipped == []
    model = AIModel.objects.get(upstream_filename="m.yaml")
    assert model.name == "m"
    assert any(w.file == "m.yaml" and w.line == 2 and "empty" in w.reason for w in report.warnings)
    assert len(_pending_questions(model, "name")) == 1
    assert [row[0] for row in _csv(client)[1:]] == ["m"]
    # The export keeps the file as it was: the name stays empty.
    assert "system:\n    name:\n" in _exported(tmp_path, "m.yaml")


def test_case_duplicate_name(client, db, imports, upstream_cases):
    """duplicate-name: two models (one per file), both listed, both flagged for review."""
    report = imports(upstream_cases / "duplicate-name" / "data")
    assert sorted(report.created) == ["a.yaml", "b.yaml"] and report.skipped == []
    models = list(AIModel.objects.filter(name="Model X").order_by("upstream_filename"))
    assert [m.upstream_filename for m in models] == ["a.yaml", "b.yaml"]
    for model in models:
        assert len(_pending_questions(model, "name")) == 1
    rows = _csv(client)[1:]
    # Equal totals (0.5000): ties by file name descending, b.yaml first.
    assert [(r[0], r[1].rstrip("/").rsplit("/", 1)[-1], r[2]) for r in rows] == [
        ("Model X", models[1].slug, "0.5000"),
        ("Model X", models[0].slug, "0.5000"),
    ]


def test_case_template_file(db, imports, upstream_cases, shared_database):
    """template-file: the submission template is ignored; `--strict` passes on the real snapshot."""
    report = imports(upstream_cases / "template-file" / "data", strict=True)
    assert report.created == ["m.yaml"] and report.skipped == []
    call_command("import_index", str(shared_database), "--strict", "--no-progress")
    assert not AIModel.objects.filter(upstream_filename="a_submission_template.yaml").exists()
    assert AIModel.objects.filter(upstream_filename__endswith=".yaml").count() == 1 + len(
        [p for p in shared_database.glob("*.yaml") if p.name != "a_submission_template.yaml"]
    )


def test_case_bad_registry(db, imports, upstream_cases):
    """bad-registry: a clear error naming the file and line; nothing written."""
    with pytest.raises(CommandError) as raised:
        call_command("import_index", str(upstream_cases / "bad-registry" / "data"), "--no-progress")
    message = str(raised.value)
    assert message.startswith("import aborted, nothing written: _parameters.yml, line 5: invalid YAML")
    assert AIModel.objects.count() == 0 and Dimension.objects.count() == 0


def test_an_empty_export_is_a_clear_error(db, imports, tmp_path):
    (tmp_path / "_parameters.yml").write_text((UPSTREAM_CASES / "tie-order" / "data" / "_parameters.yml").read_text())
    with pytest.raises(CommandError, match=r"holds no model files \(\*\.yaml\); nothing to import"):
        call_command("import_index", str(tmp_path), "--no-progress")
    assert Dimension.objects.count() == 0


def test_case_tie_order(client, db, imports, upstream_cases):
    """tie-order: ties by upstream file name descending (b before a)."""
    folder = upstream_cases / "tie-order" / "data"
    import_index(folder)
    rows = _csv(client)
    assert [r[0] for r in rows[1:]] == ["Beta", "Alpha"]
    pages = {m.upstream_filename: f"http://testserver/models/{m.slug}/" for m in AIModel.objects.all()}
    expected = upstream_csv(folder_files(folder), (folder / "_parameters.yml").read_text(), lambda r: pages[r["file"]])
    assert client.get("/models.csv").content.decode() == expected
    # The HTML index and the API list them in the same order.
    page = client.get("/models/").content.decode()
    assert page.index("Beta") < page.index("Alpha")
    assert [m["name"] for m in client.get("/api/v1/models/").json()["results"]] == ["Beta", "Alpha"]


def test_case_stale_after_typo(client, db, imports, upstream_cases):
    """stale-after-typo: v2 imported (typo kept verbatim and flagged); nothing stale."""
    imports(upstream_cases / "stale-after-typo" / "v1")
    report = imports(upstream_cases / "stale-after-typo" / "v2")
    assert report.updated == ["a.yaml"] and report.skipped == []
    model = AIModel.objects.get(upstream_filename="a.yaml")
    grades = dict(Assessment.objects.filter(ai_model=model).values_list("dimension__ref", "grade"))
    assert grades == {"weights_basemodel": "open", "trainingcode": "unrecognised"}
    assert _csv(client)[1][2:] == ["0.5000", "1", "0"]
    assert [q.source_value for q in _pending_questions(model, "assessment:trainingcode")] == ["parial"]


def test_case_unquoted_numbers(db, imports, upstream_cases, tmp_path):
    """unquoted-numbers: `2023.10` is October 2023 and `3.10` stays `3.10`; the export keeps the text."""
    report = imports(upstream_cases / "unquoted-numbers")
    assert report.skipped == []
    model = AIModel.objects.get(upstream_filename="probe-float-release.yaml")
    assert model.release_date.isoformat() == "2023-10-01" and model.release_display == "2023-10"
    assert model.base_model_name == "3.10"
    text = _exported(tmp_path, "probe-float-release.yaml")
    assert "    basemodelname: 3.10\n" in text
    assert "    releasedate: 2023.10\n" in text


def test_scalars_yaml_would_type_are_read_as_written(db, imports, tmp_path):
    """`ON` is not a boolean, `2024-05-01` not a date object: every value is read as written."""
    source = (UPSTREAM_CASES / "unquoted-numbers" / "probe-float-release.yaml").read_text()
    source = source.replace("endmodelname: Probe-Instruct", "endmodelname: ON").replace(
        "releasedate: 2023.10", "releasedate: 2024-05-01"
    )
    (tmp_path / "p.yaml").write_text(source)
    imports(tmp_path)
    model = AIModel.objects.get()
    assert model.end_model_name == "ON" and model.release_display == "2024-05"
    text = _exported(tmp_path, "p.yaml")
    assert "    endmodelname: ON\n" in text and "    releasedate: 2024-05-01\n" in text


def test_case_deleted_file(client, db, imports, upstream_cases):
    """deleted-file: B withdrawn from the public index, kept with its history, reported removed."""
    imports(upstream_cases / "deleted-file" / "v1")
    b = AIModel.objects.get(upstream_filename="b.yaml")
    report = imports(upstream_cases / "deleted-file" / "v2")
    assert report.removed == ["b.yaml"]
    b.refresh_from_db()
    assert b.removed_upstream_at is not None and not b.is_public
    assert [r[0] for r in _csv(client)[1:]] == ["Model A"]
    # Its page keeps answering for old links, under a notice and out of search engines.
    page = client.get(f"/models/{b.slug}/").content.decode()
    assert "Model B was withdrawn from the index on" in page and '<meta name="robots" content="noindex">' in page
    assert HistoryEntry.objects.filter(ai_model=b, field="is_public", before=True, after=False).exists()
    # Importing v1 again brings it back.
    report = imports(upstream_cases / "deleted-file" / "v1")
    b.refresh_from_db()
    assert b.is_public and b.removed_upstream_at is None
    assert sorted(r[0] for r in _csv(client)[1:]) == ["Model A", "Model B"]


def test_case_renamed_file(client, db, imports, upstream_cases):
    """renamed-file: one model, renamed, with history; no duplicate."""
    imports(upstream_cases / "renamed-file" / "v1")
    model = AIModel.objects.get()
    report = imports(upstream_cases / "renamed-file" / "v2")
    assert report.renamed == [("model-a.yaml", "model-a2.yaml")] and report.removed == []
    assert list(AIModel.objects.values_list("pk", "name", "upstream_filename")) == [
        (model.pk, "Model A 2", "model-a2.yaml")
    ]
    assert [r[0] for r in _csv(client)[1:]] == ["Model A 2"]
    changes = [(c.field, c.before, c.after) for c in public_changelog(model)]
    assert ("name", "Model A", "Model A 2") in changes
    assert all("/" not in c.rationale for c in public_changelog(model))  # no file system paths


def _state(client):
    """What a fresh import must equal: the CSV without its URL column, and each file's export."""
    rows = [r[:1] + r[2:] for r in _csv(client)]
    files = {
        m.upstream_filename: (m.name, m.link, m.end_model_licence, m.release_display, m.is_public)
        for m in AIModel.objects.all()
    }
    return rows, files


def test_case_name_swap(client, db, imports, upstream_cases):
    """name-swap: v1 then v2 gives the same result as a fresh import of v2."""
    with transaction.atomic():
        imports(upstream_cases / "name-swap" / "v1")
        report = imports(upstream_cases / "name-swap" / "v2")
        assert report.skipped == [] and sorted(report.updated) == ["Devstral.yaml", "Mistral.yaml"]
        after_both = _state(client)
        transaction.set_rollback(True)
    imports(upstream_cases / "name-swap" / "v2")
    fresh = _state(client)
    assert after_both == fresh
    assert fresh[1]["Devstral.yaml"][0] == "Devstral 2" and fresh[1]["Mistral.yaml"][0] == "Mistral Large 3"
