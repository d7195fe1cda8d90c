"""Bad upstream files: each is reported with its name and line and skipped; --strict writes nothing."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from curation.interchange import ImportAborted, import_index
from curation.models import AIModel, Assessment, DataChange, Dimension, Organisation

from .interchange_files import model_file


def _counts():
    return {
        model.__name__: model.objects.count() for model in (AIModel, Organisation, Assessment, DataChange, Dimension)
    }


CASES = {
    "invalid YAML": (
        {"broken.yaml": model_file("Broken").replace("    type: text\n", "    type: [text\n")},
        "broken.yaml",
        "performanceclass:",
        "invalid YAML: while parsing a flow sequence did not find expected ',' or ']' (column 21); "
        "the construct began on line 19",
    ),
    "a list where a mapping belongs": (
        {"listed.yaml": "- system: {name: Listed}\n- org: {}\n"},
        "listed.yaml",
        "- system",
        "expected a mapping with `system:`, `org:` and dimension blocks, found a list",
    ),
    "a list where the system block belongs": (
        {
            "sys.yaml": re.sub(
                r"system:\n.*?\n\n", "system:\n    - name: Sys\n    - type: text\n\n", model_file("Sys"), flags=re.S
            )
        },
        "sys.yaml",
        "system:",
        "system: expected a mapping, found a list",
    ),
    "empty file": ({"empty.yaml": ""}, "empty.yaml", None, "empty file"),
    "binary file": (
        {"binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"},
        "binary.yaml",
        3,
        "binary file (contains NUL bytes), not YAML text",  # the line of the first NUL
    ),
}


def _write(folder, files):
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def _line_of(text, needle):
    if isinstance(needle, int):
        return needle
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_is_reported_with_name_and_line_and_the_rest_is_imported(db, tmp_path, case):
    files, bad_file, needle, reason = CASES[case]
    _write(tmp_path, {"good.yaml": model_file("Good Model"), **files})
    line = _line_of(files[bad_file], needle) if needle else None

    report = import_index(tmp_path)

    assert [(s.file, s.line) for s in report.skipped] == [(bad_file, line)]
    assert reason in report.skipped[0].reason
    assert "good.yaml" in report.created
    assert AIModel.objects.filter(name="Good Model").exists()
    assert not AIModel.objects.filter(upstream_filename=bad_file).exists()


@pytest.mark.parametrize("case", list(CASES))
def test_strict_import_aborts_on_the_bad_file_and_writes_nothing(db, tmp_path, case):
    files, bad_file, _, reason = CASES[case]
    _write(tmp_path, {"good.yaml": model_file("Good Model"), **files})
    before = _counts()

    with pytest.raises(ImportAborted) as raised:
        import_index(tmp_path, strict=True)

    assert raised.value.problem.filename == bad_file
    assert reason in str(raised.value)
    assert str(raised.value).startswith(f"import aborted, nothing written: {bad_file}")
    assert _counts() == before


def test_strict_command_fails_with_the_message_and_writes_nothing(db, tmp_path):
    _write(tmp_path, {"good.yaml": model_file("Good Model"), "sys.yaml": "system:\n  - a list\n"})
    before = _counts()
    with pytest.raises(CommandError, match=r"sys\.yaml, line \d+: system: expected a mapping, found a list"):
        call_command("import_index", str(tmp_path), "--strict")
    assert _counts() == before


def test_command_summary_lists_skipped_files_and_organisations_needing_review(db, tmp_path, capsys):
    _write(
        tmp_path,
        {
            "good.yaml": model_file("Good Model"),
            "odd.yaml": model_file("Odd Model", org="Nowhere Labs", origin="Atlantis"),
            "empty.yaml": "",
        },
    )
    call_command("import_index", str(tmp_path))
    out = capsys.readouterr().out
    assert "2 created, 0 updated, 0 unchanged, 1 skipped" in out
    assert "  empty.yaml: empty file" in out
    assert "Organisations needing review (1):\n  Nowhere Labs" in out
    assert "national origin tag 'Atlantis' is not in the vocabulary" in out


def test_missing_folder_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_index", str(tmp_path / "nowhere"))


def test_nul_character_in_a_value_is_reported_before_anything_is_written(db, tmp_path):
    text = model_file("Nul Model").replace("    notes: A model described for tests.", '    notes: "bad \\0 byte"')
    _write(tmp_path, {"good.yaml": model_file("Good Model"), "nul.yaml": text})
    report = import_index(tmp_path)
    assert [(s.file, s.reason) for s in report.skipped] == [
        ("nul.yaml", "system.notes: contains a NUL character, which cannot be stored"),
    ]
    assert report.created == ["good.yaml"]


def test_a_file_the_database_refuses_is_skipped_alone_and_leaves_nothing_behind(db, tmp_path, monkeypatch):
    """Inserts are batched; if a batch fails, files are retried one by one and only the culprit is skipped."""
    from django.db import IntegrityError
    from django.db.models.query import QuerySet

    real_bulk_create, real_save = QuerySet.bulk_create, AIModel.save

    def refusing_bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if any(isinstance(o, AIModel) and o.name == "Doomed" for o in objs):
            raise IntegrityError("refused for the test")
        return real_bulk_create(self, objs, *args, **kwargs)

    def refusing_save(self, *args, **kwargs):
        if self.name == "Doomed":
            raise IntegrityError("refused for the test")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", refusing_bulk_create)
    monkeypatch.setattr(AIModel, "save", refusing_save)
    _write(
        tmp_path,
        {
            "a.yaml": model_file("Alpha"),
            "b.yaml": model_file("Doomed", org="Doomed Org"),
            "c.yaml": model_file("Gamma"),
        },
    )
    report = import_index(tmp_path)
    assert [(s.file, s.reason) for s in report.skipped] == [("b.yaml", "could not be stored: refused for the test")]
    assert sorted(report.created) == ["a.yaml", "c.yaml"]
    assert sorted(AIModel.objects.values_list("name", flat=True)) == ["Alpha", "Gamma"]
    assert not Organisation.objects.filter(name="Doomed Org").exists()
    assert Assessment.objects.count() == 2 * 12

    AIModel.objects.all().delete()
    before = _counts()
    with pytest.raises(ImportAborted, match=re.escape("b.yaml: could not be stored")):
        import_index(tmp_path, strict=True)
    assert _counts() == before
