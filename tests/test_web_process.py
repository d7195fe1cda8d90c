"""The web process never loads the chart renderer (matplotlib, numpy): only workers and the
regenerate_charts command draw charts. Checked in fresh interpreters, as gunicorn starts one."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("matplotlib", "numpy")

# Starts the WSGI application as gunicorn does, loads every URL and template tag library, then
# answers readers' requests that show charts (the home page, the chart index, the API's charts,
# a link-preview card), and reports which heavy modules are loaded.
WEB_PROCESS = """
import json, sys
from osai_index.wsgi import application
from django.core.management import call_command
from django.template import engines
from django.test import Client
from django.urls import get_resolver

get_resolver().url_patterns
engines["django"].engine.template_libraries
call_command("migrate", verbosity=0)
client = Client()
statuses = {path: client.get(path).status_code
            for path in ("/", "/models/", "/charts/", "/api/v1/charts/", "/share/site.png", "/embed/chart/academic-share/")}
print(json.dumps({"loaded": sorted(m for m in sys.modules if m.split(".")[0] in HEAVY), "statuses": statuses}))
""".replace("HEAVY", repr(HEAVY))


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="osai_index.settings", DATABASE_URL="sqlite://:memory:")
    return env


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=True
    )


def test_the_web_process_serves_pages_with_charts_without_matplotlib_or_numpy():
    report = json.loads(_run("-c", WEB_PROCESS).stdout.strip().splitlines()[-1])
    assert report["statuses"]["/"] == 200 and report["statuses"]["/charts/"] == 200
    assert report["statuses"]["/share/site.png"] == 200
    assert report["loaded"] == []


def test_importing_the_wsgi_application_imports_no_chart_renderer():
    """`python -X importtime` lists every module the WSGI application and its URLconf load."""
    start = "from osai_index.wsgi import application; from django.urls import get_resolver; get_resolver().url_patterns"
    timing = _run("-X", "importtime", "-c", start).stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in timing.splitlines() if "|" in line}
    assert {"curation.charts.views", "curation.public.views", "curation.receivers"} <= imported
    assert not [name for name in imported if name.split(".")[0] in HEAVY]


@pytest.mark.parametrize("module", ["curation.tasks", "curation.charts.publish"])
def test_a_worker_loads_the_renderer_with_its_tasks(module):
    """The probe can fail: the modules a worker imports do load matplotlib."""
    probe = f"import django, sys; django.setup(); import {module}; print('matplotlib' in sys.modules)"
    assert _run("-c", probe).stdout.strip() == "True"
