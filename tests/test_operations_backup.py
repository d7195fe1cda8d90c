"""Restore drills (docs/operations.md, "Backup and restore"): a backup restored into an empty
database gives back the same index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from curation.models import AIModel

PROJECT_ROOT = Path(__file__).resolve().parent.parent

SHARED_TABLES = [
    "curation_aimodel",
    "curation_organisation",
    "curation_assessment",
    "curation_historyentry",
    "curation_changerequest",
    "curation_datachange",
    "curation_dimension",
    "auth_user",
]


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_yaml_export_restores_into_an_empty_database(db, tmp_path, registry):
    """Backup with export_index; restore into a new, empty database (migrate, load_registry,
    import_index, in a process of its own); its export is the same files."""
    demo = Path(__file__).resolve().parent.parent / "curation" / "demo_data"
    call_command("import_index", str(demo))
    backup = tmp_path / "backup"
    call_command("export_index", str(backup))

    restored = tmp_path / "restored"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    for name in ("DJANGO_TEST_DB_NAME", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    steps = [
        ["migrate", "-v0"],
        ["load_registry"],
        ["import_index", str(backup), "--strict"],
        ["export_index", str(restored)],
    ]
    for step in steps:
        done = subprocess.run(
            [sys.executable, "manage.py", *step], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{step}: {done.stderr[-2000:]}"

    assert files_of(restored) == files_of(backup)
    assert len(files_of(backup)) == AIModel.objects.count() + 2  # the models, the registry and its descriptions


def _psql_url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgresql://{db['USER'] or 'postgres'}{password}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _table_figures(url: str) -> dict:
    import psycopg

    figures = {}
    with psycopg.connect(url) as conn:
        for table in SHARED_TABLES:
            count, digest = conn.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {table} t"  # noqa: S608 - a table name from SHARED_TABLES
            ).fetchone()
            figures[table] = (count, digest)
    return figures


@pytest.mark.postgres
def test_a_pg_dump_restores_into_an_empty_database(
    require_postgres, transactional_db, tmp_path, registry, make_ai_model, django_user_model
):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.fail("pg_dump / pg_restore are missing (Debian: postgresql-client)")
    from curation.review.services import edit_directly

    admin = django_user_model.objects.create_superuser("restorer", "r@example.org", "x")
    model = make_ai_model("Backed Up", grades={"licenses": "open"})
    edit_directly(model, "performance_class", "latest", user=admin, rationale="History to restore")
    source = _psql_url(connection.settings_dict["NAME"])
    dump = tmp_path / "osai.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", source], check=True, capture_output=True)

    restored_name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:6]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={_psql_url(restored_name)}", str(dump)],
            check=True,
            capture_output=True,
        )
        original, restored = _table_figures(source), _table_figures(_psql_url(restored_name))
        assert restored == original
        assert original["curation_historyentry"][0] >= 1 and original["curation_aimodel"][0] == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
