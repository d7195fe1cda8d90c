"""Resident memory of a web process: a fresh interpreter starts the WSGI application as gunicorn
does, then answers reader pages that show charts. The chart renderer (matplotlib, numpy) is a
worker's; a web process that loads it pays tens of megabytes for nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

from curation.benchmarks import benchmark

# Runs in the fresh interpreter; prints one JSON line. Memory from /proc (Linux), in MiB.
PROBE = """
import json, sys

def rss_mib():
    with open("/proc/self/status") as status:
        fields = dict(line.split(":", 1) for line in status)
    return round(int(fields["VmRSS"].split()[0]) / 1024, 1)

from osai_index_wsgi_module import application
from django.urls import get_resolver
get_resolver().url_patterns
started = rss_mib()
from django.core.management import call_command
from django.test import Client
call_command("migrate", verbosity=0)
client = Client()
for path in ("/", "/models/", "/charts/", "/api/v1/models/", "/share/site.png"):
    client.get(path)
print(json.dumps({"started": started, "served": rss_mib(),
                  "renderer_loaded": int(any(m in sys.modules for m in ("matplotlib", "numpy")))}))
"""


@benchmark(
    "web-process",
    "Web process: resident memory (MiB) once started and after reader pages; "
    "whether it loaded the chart renderer (matplotlib/numpy)",
)
def web_process(quick: bool = False) -> dict:
    wsgi_module = settings.WSGI_APPLICATION.rsplit(".", 1)[0]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    # An empty in-memory database and no broker: the figure is the code's, not the data's.
    env.update(DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE, DATABASE_URL="sqlite://:memory:")
    result = subprocess.run(
        [sys.executable, "-c", PROBE.replace("osai_index_wsgi_module", wsgi_module)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "web_rss_started_mib": figures["started"],
        "web_rss_after_pages_mib": figures["served"],
        "web_loaded_chart_renderer": figures["renderer_loaded"],
    }
