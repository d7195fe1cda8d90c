"""The load benchmark's machinery works: gunicorn and nginx start, wrk loads every reader path,
and the figures come back (their values are read by people, never asserted). Without nginx or
wrk, the command says what is missing and how to install it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from curation.benchmarks import load

PATHS = ("home", "index", "index_miss", "model", "api", "chart_svg", "csv")


def test_missing_programs_are_named_with_how_to_install_them(monkeypatch):
    monkeypatch.setattr(load, "_which", lambda name: None if name == "wrk" else "/usr/sbin/nginx")
    with pytest.raises(
        CommandError, match=r"benchmark load: the load benchmark needs wrk: install .*apt-get install nginx-light wrk"
    ):
        call_command("benchmark", "--load", "--only", "load", "--quick")


def test_wrk_output_is_read():
    output = """Running 1s test @ http://127.0.0.1:1/
  2 threads and 50 connections
  Latency Distribution
     50%    1.20ms
     75%    2.00ms
     90%    3.00ms
     99%    1.50s
  1000 requests in 1.00s, 1.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:    999.50
"""
    completed = subprocess.CompletedProcess([], 0, stdout=output, stderr="")
    original = subprocess.run
    try:
        subprocess.run = lambda *a, **k: completed
        figures = load.run_wrk("http://127.0.0.1:1/", 1)
    finally:
        subprocess.run = original
    assert (figures["rps"], figures["p99_ms"], figures["errors"]) == (999.5, 1500.0, 9)


@pytest.mark.slow
def test_quick_load_run_measures_every_reader_path_against_the_static_file(tmp_path):
    if load.missing_tools():
        pytest.skip(f"not installed: {', '.join(load.missing_tools())} (the test above covers the message)")
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "media")}
    if os.environ.get("DJANGO_TEST_DB_NAME"):  # never the database this test session uses
        env["DJANGO_TEST_DB_NAME"] = os.environ["DJANGO_TEST_DB_NAME"] + "_load"
    else:
        env["DJANGO_TEST_DB_NAME"] = "test_osai_load"
    done = subprocess.run(
        [sys.executable, "manage.py", "benchmark", "--only", "load", "--quick", "--json"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["load_rps_static"] > 0
    for name in PATHS:
        assert figures[f"load_rps_{name}"] > 0, (name, done.stderr[-3000:])
        assert figures[f"load_ratio_{name}"] > 0, name
        assert figures[f"load_errors_{name}"] == 0, (name, done.stderr[-3000:])
        # The same path through the documented front proxy (deploy/nginx/osai-index.conf).
        assert figures[f"load_proxy_rps_{name}"] > 0, (name, done.stderr[-3000:])
        assert figures[f"load_proxy_ratio_{name}"] > 0, name
        assert figures[f"load_proxy_errors_{name}"] == 0, (name, done.stderr[-3000:])
