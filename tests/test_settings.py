"""Settings come from the environment: the embedded default on a bare machine, the services when set."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from .conftest import PROJECT_ROOT

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST", ""),
    "cache": settings.CACHES["default"]["BACKEND"], "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER, "broker": settings.CELERY_BROKER_URL,
    "backend": settings.CELERY_RESULT_BACKEND, "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS, "secret": settings.SECRET_KEY,
}))
"""
SETTINGS_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "DEBUG",
    "DJANGO_SECRET_KEY",
    "ALLOWED_HOSTS",
    "DJANGO_TEST_DB_NAME",
    "CACHE_KEY_PREFIX",
)


def settings_under(**variables) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(variables, DJANGO_SETTINGS_MODULE="osai_index.settings")
    out = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out)


def test_with_nothing_set_the_site_runs_on_sqlite_eager_celery_and_local_memory():
    found = settings_under()
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(PROJECT_ROOT / "db.sqlite3")
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["eager"] is True and found["broker"] == "memory://localhost/"
    assert found["debug"] is True


def test_database_and_redis_urls_select_postgresql_and_redis():
    found = settings_under(
        DATABASE_URL="postgres://osai@db.example.org:5432/osai",
        REDIS_URL="redis://cache.example.org:6379/2",
        DEBUG="false",
        DJANGO_SECRET_KEY="s3cret",
        ALLOWED_HOSTS="index.example.org,www.example.org",
    )
    assert (found["engine"], found["name"], found["host"]) == (
        "django.db.backends.postgresql",
        "osai",
        "db.example.org",
    )
    assert found["cache"] == "curation.cache_backends.FailOpenRedisCache"  # Django's RedisCache, failing open
    assert found["cache_location"] == found["broker"] == found["backend"] == "redis://cache.example.org:6379/2"
    assert found["eager"] is False
    assert (found["debug"], found["secret"], found["hosts"]) == (
        False,
        "s3cret",
        ["index.example.org", "www.example.org"],
    )
