"""The safe folder walk and the safe YAML composition (curation.interchange.safe_input), and the
importer's use of them: each hostile entry is reported with its name, the others import, and
`--strict` writes nothing."""

from __future__ import annotations

import os
import time

import pytest
import yaml

from curation.interchange import ImportAborted, import_index
from curation.interchange.safe_input import (
    FolderEntry,
    InputLimits,
    InputProblem,
    compose,
    load,
    node_line,
    read_text,
    walk_folder,
)
from curation.models import AIModel, Assessment, DataChange, Organisation

from .interchange_files import model_file

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
"""


def _walk(folder, **kwargs):
    found = list(walk_folder(folder, **kwargs))
    return (
        [e.name for e in found if isinstance(e, FolderEntry)],
        {p.name: p.reason for p in found if isinstance(p, InputProblem)},
    )


# --- the folder walk --------------------------------------------------------------------------


def test_walk_lists_matching_files_sorted_and_skips_hidden_and_other_suffixes(tmp_path):
    for name in ("b.yaml", "a.yaml", ".hidden.yaml", "notes.txt", "c.yml", "Upper.YAML"):
        (tmp_path / name).write_text("x: 1\n")
    assert _walk(tmp_path) == (["a.yaml", "b.yaml"], {})
    assert _walk(tmp_path, suffixes=(".yaml", ".yml")) == (["a.yaml", "b.yaml", "c.yml"], {})


def test_walk_refuses_a_file_name_that_is_not_utf8(tmp_path):
    (tmp_path / "good.yaml").write_text("x: 1\n")
    with open(os.fsencode(tmp_path) + b"/caf\xe9.yaml", "w") as handle:
        handle.write("x: 1\n")
    files, problems = _walk(tmp_path)
    assert files == ["good.yaml"]
    assert problems == {"caf\\xe9.yaml": "the file name is not valid UTF-8; rename it"}


def test_walk_follows_links_inside_the_folder_only(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "real.yaml").write_text("x: 1\n")
    (tmp_path / "secret.yaml").write_text("password: x\n")
    (folder / "inside.yaml").symlink_to(folder / "real.yaml")
    (folder / "outside.yaml").symlink_to(tmp_path / "secret.yaml")
    (folder / "escape.yaml").symlink_to("../secret.yaml")
    (folder / "dangling.yaml").symlink_to(folder / "missing.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    files, problems = _walk(folder)
    assert files == ["inside.yaml", "real.yaml"]
    assert problems == {
        "outside.yaml": "is a symbolic link leading outside the folder; refused",
        "escape.yaml": "is a symbolic link leading outside the folder; refused",
        "dangling.yaml": "is a symbolic link to nothing (dangling); refused",
        "loop.yaml": "is a symbolic link to nothing (dangling); refused",
    }
    inside = next(e for e in walk_folder(folder) if isinstance(e, FolderEntry) and e.name == "inside.yaml")
    assert inside.read_bytes() == b"x: 1\n"


def test_walk_refuses_folders_named_like_files_and_special_files(tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "ok.yaml").write_text("x: 1\n")
    files, problems = _walk(tmp_path)
    assert files == ["ok.yaml"]
    assert problems == {
        "folder.yaml": "is a folder, not a file",
        "pipe.yaml": "is not a regular file (a device, socket or pipe); refused",
    }


def test_recursive_walk_names_files_by_relative_path_and_does_not_follow_folder_links(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.md").write_text("# A\n")
    (tmp_path / "top.md").write_text("# Top\n")
    (tmp_path / "linked").symlink_to(tmp_path / "news")
    files, problems = _walk(tmp_path, suffixes=(".md",), recursive=True)
    assert files == ["news/a.md", "top.md"]
    assert problems == {}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "big.yaml").write_bytes(b"# " + b"x" * 3000 + b"\n")
    entry = next(walk_folder(tmp_path))
    with pytest.raises(InputProblem) as raised:
        entry.read_bytes(InputLimits(max_file_bytes=2048))
    assert str(raised.value) == "big.yaml: is 2.9 kB; files over 2.0 kB are refused"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such folder"):
        list(walk_folder(tmp_path / "nowhere"))


# --- text --------------------------------------------------------------------------------------


def test_read_text_refuses_nul_bytes_and_invalid_utf8_naming_the_line():
    with pytest.raises(InputProblem, match=r"^x.yaml, line 2: binary file \(contains NUL bytes\)"):
        read_text("x.yaml", b"a: 1\nb: \x00\n")
    with pytest.raises(InputProblem, match=r"^x.yaml, line 3: not UTF-8 text"):
        read_text("x.yaml", b"a: 1\nb: 2\nc: \xff\n")
    assert read_text("x.yaml", "\ufeffa: é\n".encode()) == "a: é\n"


# --- YAML --------------------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_before_it_expands():
    started = time.perf_counter()
    with pytest.raises(InputProblem, match="expands to more than 100000 values"):
        compose(BILLION_LAUGHS, "bomb.yaml")
    assert time.perf_counter() - started < 2  # refused while composing, never expanded


def test_too_many_aliases_are_refused_with_the_line():
    text = "a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(70))
    with pytest.raises(InputProblem) as raised:
        compose(text, "aliases.yaml")
    assert raised.value.reason == "more than 64 YAML aliases; refused"
    assert raised.value.line == 66  # the 65th alias


def test_deep_nesting_is_refused_without_recursion():
    with pytest.raises(InputProblem, match=r"^deep.yaml, line 1: nested more than 32 levels deep"):
        compose("[" * 100_000 + "]" * 100_000, "deep.yaml")
    block = "".join(" " * i + f"k{i}:\n" for i in range(40))
    with pytest.raises(InputProblem, match=r"line 33: nested more than 32 levels deep"):
        compose(block, "deep-block.yaml")


def test_duplicate_keys_second_documents_complex_keys_and_foreign_tags_are_refused():
    cases = {
        "a: 1\nb: 2\na: 3\n": (3, "duplicate key 'a' (first on line 1)"),
        "---\na: 1\n---\nb: 2\n": (3, "a second YAML document starts here; one document per file"),
        "? [a, b]\n: 1\n": (1, "a mapping key must be a plain value, not a list or mapping"),
        "a: !!python/object/apply:os.system [echo hi]\n": (
            1,
            "the YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed",
        ),
        "a: !custom x\n": (1, "the YAML tag !custom is not allowed (only YAML's core types)"),
    }
    for text, (line, reason) in cases.items():
        with pytest.raises(InputProblem) as raised:
            compose(text, "x.yaml")
        assert (raised.value.line, raised.value.reason[: len(reason)]) == (line, reason), text


def test_a_syntax_error_names_line_and_column():
    with pytest.raises(InputProblem) as raised:
        compose("a: [1, 2\nb: 3\n", "broken.yaml")
    assert raised.value.line == 2
    assert raised.value.reason.startswith("invalid YAML: while parsing a flow sequence")


def test_nodes_keep_source_text_style_and_line():
    node = compose("---\nsystem:\n    releasedate: 2023.10\n    basemodelname: '3.10'\n    flag: ON\n", "x.yaml")
    system = {k.value: v for k, v in node.value}["system"]
    values = {k.value: v for k, v in system.value}
    assert values["releasedate"].value == "2023.10"
    assert values["releasedate"].tag == "tag:yaml.org,2002:float"  # what YAML would have made of it
    assert (values["basemodelname"].value, values["basemodelname"].style) == ("3.10", "'")
    assert values["flag"].value == "ON"
    assert node_line(values["flag"]) == 5


def test_load_gives_typed_values_within_the_limits():
    import datetime

    assert load("date: 2025-06-09\nn: 3\ntags: [a, b]\n", "front.yaml") == {
        "date": datetime.date(2025, 6, 9),
        "n": 3,
        "tags": ["a", "b"],
    }
    assert load("", "empty.yaml") is None
    with pytest.raises(InputProblem):
        load(BILLION_LAUGHS, "bomb.yaml")


def test_the_composer_agrees_with_pyyaml_on_every_shared_file(shared_database):
    """The event composer builds the same data as PyYAML's own composer on real input."""
    for path in sorted(shared_database.glob("*.y*ml")):
        if path.name == "a_submission_template.yaml":  # has a duplicate key, which we refuse
            continue
        text = read_text(path.name, path.read_bytes())
        assert load(text, path.name) == yaml.safe_load(text), path.name


# --- the importer ------------------------------------------------------------------------------

HOSTILE = {
    "bomb.yaml": BILLION_LAUGHS,
    "deep.yaml": "system: " + "[" * 1000 + "]" * 1000 + "\n",
    "nul.yaml": "system:\n    name: Nul\x00\n",
}


def _hostile_folder(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "good.yaml").write_text(model_file("Good Model"))
    for name, text in HOSTILE.items():
        (folder / name).write_text(text)
    (folder / "big.yaml").write_text(model_file("Big Model") + "# " + "x" * 5000 + "\n")
    (folder / "dir.yaml").mkdir()
    (tmp_path / "outside.yaml").write_text(model_file("Outside Model"))
    (folder / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    (folder / "dangling.yaml").symlink_to(folder / "gone.yaml")
    with open(os.fsencode(folder) + b"/latin\xe9.yaml", "w") as handle:
        handle.write(model_file("Latin Model"))
    return folder


EXPECTED_PROBLEMS = {
    "big.yaml": "files over 4.0 kB are refused",
    "bomb.yaml": "expands to more than 100000 values",
    "dangling.yaml": "symbolic link to nothing",
    "deep.yaml": "nested more than 32 levels deep",
    "dir.yaml": "is a folder, not a file",
    "escape.yaml": "leading outside the folder",
    "latin\\xe9.yaml": "file name is not valid UTF-8",
    "nul.yaml": "contains NUL bytes",
}


def test_import_reports_each_hostile_entry_and_imports_the_rest(db, tmp_path, settings):
    settings.OSAI_IMPORT_MAX_FILE_BYTES = 4096
    report = import_index(_hostile_folder(tmp_path))
    skipped = {s.file: s.reason for s in report.skipped}
    assert set(skipped) == set(EXPECTED_PROBLEMS)
    for name, reason in EXPECTED_PROBLEMS.items():
        assert reason in skipped[name], (name, skipped[name])
    assert report.created == ["good.yaml"]
    assert list(AIModel.objects.values_list("name", flat=True)) == ["Good Model"]


def test_strict_import_of_a_hostile_folder_writes_nothing(db, tmp_path, settings):
    settings.OSAI_IMPORT_MAX_FILE_BYTES = 4096
    counts = lambda: [m.objects.count() for m in (AIModel, Organisation, Assessment, DataChange)]  # noqa: E731
    before = counts()
    with pytest.raises(ImportAborted):
        import_index(_hostile_folder(tmp_path), strict=True)
    assert counts() == before
