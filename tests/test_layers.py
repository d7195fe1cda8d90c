"""The app's imports run one way (scripts/check_layers.py holds the layer map)."""

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_layers.py"
spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
check_layers = importlib.util.module_from_spec(spec)
sys.modules.setdefault("check_layers", check_layers)
spec.loader.exec_module(check_layers)


def test_no_layer_imports_a_higher_one_no_import_hides_in_a_function_no_circle():
    problems, counts = check_layers.check()
    assert problems == []
    assert counts["imports"] > 300  # the check read the app


def test_the_check_finds_an_upward_import_a_hidden_import_and_a_circle(tmp_path, monkeypatch):
    app = tmp_path / "curation"
    (app / "models").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "models" / "__init__.py").write_text("from curation import tasks\n")
    (app / "tasks.py").write_text("from curation import models\n")
    (app / "scoring.py").write_text("def score():\n    from curation import filters\n")
    (app / "filters.py").write_text("")
    monkeypatch.setattr(check_layers, "ROOT", tmp_path)
    problems, counts = check_layers.check()
    assert counts["upward"] == 1 and "curation.models (models) imports curation.tasks (interface)" in problems[0]
    assert counts["in_function"] == 1 and any(
        "curation.scoring imports curation.filters inside a function" in p for p in problems
    )
    assert counts["cycles"] == 1 and "curation.models <-> curation.tasks" in problems[-1]
    assert check_layers.layer_of("curation.public.views") == "interface"
    assert check_layers.layer_of("curation.public.queries") == "services"


def test_a_module_the_map_does_not_place_is_a_problem(tmp_path, monkeypatch):
    app = tmp_path / "curation"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "newcomer.py").write_text("")
    monkeypatch.setattr(check_layers, "ROOT", tmp_path)
    problems, _counts = check_layers.check()
    assert problems == [
        "curation/newcomer.py: curation.newcomer is in no layer; add it to LAYERS in scripts/check_layers.py"
    ]
