"""The curation app builds as a wheel that carries everything a host site needs from it."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy holding only what the build reads, so the checkout gets no build/ folder
    # and the wheel cannot pick up anything else by accident. Offline: the environment's setuptools.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE", "requirements.txt"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "curation", source / "curation", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    (built,) = out.glob("*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_the_apps_templates_static_files_and_migrations(wheel):
    names = set(wheel.namelist())
    expected = {
        "curation/apps.py",
        "curation/urls.py",
        "curation/conf.py",
        "curation/templates/curation/base.html",
        "curation/templates/curation/public/home.html",
        "curation/templates/admin/curation/changerequest/change_form.html",
        "curation/static/curation/site.css",
        "curation/static/curation/index.js",
        "curation/migrations/__init__.py",
        "curation/migrations/0001_initial.py",
        "curation/registry_data/parameters.yml",
        "curation/management/commands/load_registry.py",
    }
    assert expected <= names
    migrations = {p.name for p in (ROOT / "curation" / "migrations").glob("0*.py")}
    assert {f"curation/migrations/{m}" for m in migrations} <= names
    templates = {str(p.relative_to(ROOT)) for p in (ROOT / "curation" / "templates").rglob("*.html")}
    assert templates <= names


def test_the_wheel_holds_the_app_alone_with_its_dependencies(wheel):
    names = wheel.namelist()
    assert {name.split("/")[0] for name in names} - {"curation"} == {
        next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
    }
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "osai_index/"))]
    metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Requires-Dist: Django==" in metadata and "Requires-Dist: matplotlib==" in metadata
