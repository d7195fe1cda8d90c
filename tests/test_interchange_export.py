"""The exporter on data that did not come from upstream files, and the public zip."""

from __future__ import annotations

import io
import sys
import zipfile

import yaml
from django.core.management import call_command

from curation.interchange import export_index, import_index, write_export_zip
from curation.models import AIModel, Assessment

from .interchange_files import model_file


def test_a_model_made_in_the_admin_exports_to_a_file_that_imports_back_unchanged(
    make_ai_model, make_organisation, tmp_path
):
    org = make_organisation("Curated Org", country="FR", big_tech_bloc="european_big_tech")
    model = make_ai_model(
        "Curated Model", grades={"paper": "open", "licenses": "partial"}, organisation=org, types="text,code"
    )
    Assessment.objects.filter(ai_model=model, dimension__ref="paper").update(
        links=["https://example.org/a", "https://example.org/b"], notes="Two papers: one preprint, one journal."
    )

    export_index(tmp_path)

    text = (tmp_path / "curated-model.yaml").read_text()
    assert "# - National origin: France\n# - Contributor type: Non-academic (European Big Tech)\n" in text
    data = yaml.safe_load(text)
    assert data["system"]["type"] == "text,code"
    assert data["paper"] == {
        "class": "open",
        "link": ["https://example.org/a", "https://example.org/b"],
        "notes": "Two papers: one preprint, one journal.",
    }
    assert data["datasheet"] == {"class": "closed", "link": None, "notes": None}
    report = import_index(tmp_path)
    assert (report.created, report.updated, report.skipped, report.changes) == ([], ["curated-model.yaml"], [], [])
    model.refresh_from_db()
    assert model.upstream_filename == "curated-model.yaml"  # only bookkeeping changed
    again = import_index(tmp_path)
    assert again.updated == [] and again.unchanged == ["curated-model.yaml"]


def test_export_zip_holds_public_models_only_and_the_registry(db, tmp_path):
    (tmp_path / "a.yaml").write_text(model_file("Published Model"))
    (tmp_path / "b.yaml").write_text(model_file("Draft Model"))
    import_index(tmp_path)
    AIModel.objects.filter(name="Draft Model").update(is_public=False)

    buffer = io.BytesIO()
    assert write_export_zip(buffer) == 3
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == ["_parameters-descriptions.yml", "_parameters.yml", "a.yaml"]
        exported = yaml.safe_load(archive.read("a.yaml"))
        parameters = yaml.safe_load(archive.read("_parameters.yml"))
    assert exported == yaml.safe_load((tmp_path / "a.yaml").read_text())
    assert [c["ref"] for c in parameters] == ["availability", "documentation", "access"]
    assert sum(len(c["params"]) for c in parameters) == 12


def test_export_command_with_and_without_drafts(db, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.yaml").write_text(model_file("Published Model"))
    (tmp_path / "in" / "b.yaml").write_text(model_file("Draft Model"))
    import_index(tmp_path / "in")
    AIModel.objects.filter(name="Draft Model").update(is_public=False)

    call_command("export_index", str(tmp_path / "public"))
    call_command("export_index", str(tmp_path / "all"), "--include-drafts")
    assert "3 files written" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "public").glob("*.yaml")) == ["a.yaml"]
    assert sorted(p.name for p in (tmp_path / "all").glob("*.yaml")) == ["a.yaml", "b.yaml"]


def test_progress_is_reported_per_file(db, tmp_path):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(model_file(f"Model {name}"))
    (tmp_path / "readme.md").write_text("not a model")
    seen = []
    import_index(tmp_path, progress=lambda done, total, filename: seen.append((done, total, filename)))
    assert seen == [(1, 3, "a.yaml"), (2, 3, "b.yaml"), (3, 3, "c.yaml")]


def test_import_command_draws_a_progress_bar_on_a_terminal_only(db, tmp_path, capsys, monkeypatch):
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.yaml").write_text(model_file(f"Model {name}"))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    call_command("import_index", str(tmp_path))
    captured = capsys.readouterr()
    assert "importing:" in captured.err and "/3 [" in captured.err  # tqdm redraws at most every 0.1 s
    assert "3 created, 0 updated, 0 unchanged, 0 skipped" in captured.out

    call_command("import_index", str(tmp_path), "--no-progress")
    assert "importing" not in capsys.readouterr().err
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)  # a log file or a pipe: no bar
    call_command("import_index", str(tmp_path))
    captured = capsys.readouterr()
    assert "importing" not in captured.err and "0 created, 0 updated, 3 unchanged" in captured.out
