"""Throughput of reader paths under load, against a static file served by nginx in the same run.

`manage.py benchmark --load` (not part of the default run: it needs Debian's `nginx` and `wrk`
and takes minutes). It fills a scratch database with synthetic models (10,000; 200 with
`--quick`), publishes the charts, starts the site under gunicorn (4 workers, production
settings, the same database and Redis as the command) and nginx serving the cached index page's
bytes as a static file, both on loopback ports. Then, round after round, `wrk` loads each path
at 50 connections right after loading the static file, so both see the same machine noise.

- `load_rps_static`: requests per second of the static file (median over the rounds).
- `load_rps_<path>` and `load_p99_ms_<path>`: the same for each reader path.
- `load_ratio_<path>`: requests per second of the path over those of the static file measured
  just before it, median over the rounds (1.0 means "as fast as a static file"), asking
  gunicorn directly.
- `load_proxy_rps_<path>`, `load_proxy_p99_ms_<path>`, `load_proxy_ratio_<path>`: the same
  through the documented front nginx (deploy/nginx/osai-index.conf, rendered with the run's
  ports; the site runs with OSAI_PROXY_CACHE_SECONDS=1), against the same static figure.

Paths: `home` (/), `index` (/models/, cached), `index_miss` (/models/ with a query string never
seen before on every request), `model` (a model page), `api` (/api/v1/models/), `chart_svg` (a
chart's content-hashed SVG address, as pages embed it), `csv` (/models.csv).
Everything runs in a scratch database and folders; the site's own data is never touched.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from pathlib import Path
from unittest import mock

from django.conf import settings

from curation.benchmarks import BenchmarkUnavailable, benchmark, forget_cache, scratch_database

CONNECTIONS = 50
WORKERS = 4

# Every request a date never asked before: each one misses the page cache (wrk runs this per thread).
MISS_SCRIPT = """
local counter = 0
function setup(thread)
  thread:set("offset", __THREADS__)
  __THREADS__ = __THREADS__ + 1
end
__THREADS__ = 0
request = function()
  counter = counter + 1
  local n = __BASE__ + counter * 4 + (offset or 0)
  local year = 1000 + (n % 900)
  local month = 1 + (math.floor(n / 900) % 12)
  local day = 1 + (math.floor(n / 10800) % 28)
  return wrk.format("GET", string.format("/models/?released_from=%04d-%02d-%02d", year, month, day))
end
"""


def missing_tools() -> list[str]:
    """The programs the load benchmark needs and cannot find (`nginx`, `wrk`)."""
    return [name for name in ("nginx", "wrk") if not _which(name)]


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - the benchmark's own loopback server
                response.read()
                return
        except Exception:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server for {url} exited with code {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _database_url(folder: Path) -> str:
    """The scratch database as a URL the server processes can open."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    user = params.get("USER") or ""
    password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{credentials}{params.get('HOST') or '127.0.0.1'}{port}/{params['NAME']}"


@contextmanager
def _file_database(folder: Path):
    """On SQLite, a scratch database in a file (not in memory), so server processes share it."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    test = connection.settings_dict.setdefault("TEST", {})
    previous = test.get("NAME")
    test["NAME"] = str(folder / "load.sqlite3")
    try:
        yield
    finally:
        test["NAME"] = previous


@contextmanager
def _gunicorn(folder: Path, media: str):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(folder),
        "DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": media,
        # One address sends everything: the per-address limit would only measure its bookkeeping.
        "API_ANON_THROTTLE_RATE": "none",
        "LOG_LEVEL": "ERROR",
        # The front proxy of deploy/nginx may keep the site's shareable answers for a second.
        "OSAI_PROXY_CACHE_SECONDS": "1",
    }
    env.pop("DJANGO_TEST_DB_NAME", None)
    log = open(folder / "gunicorn.log", "wb")  # noqa: SIM115 - the child process writes to it while it runs
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "osai_index.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--error-logfile",
            str(folder / "gunicorn-errors.log"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process=process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@contextmanager
def _nginx(folder: Path, page: bytes):
    """nginx serving `page` as /static/index.html from `folder`, on a loopback port."""
    port = _free_port()
    root = folder / "nginx-root"
    (root / "static").mkdir(parents=True)
    (root / "static" / "index.html").write_bytes(page)
    for path in (folder, root, root / "static", root / "static" / "index.html"):
        path.chmod(0o755)
    conf = _nginx_main(
        folder,
        "nginx",
        f"""
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
""",
    )
    process = subprocess.Popen(
        [_which("nginx"), "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "nginx-stderr.log", "wb"),  # noqa: SIM115 - the child process writes to it while it runs
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/static/index.html", process=process)
        yield port
    finally:
        process.terminate()
        process.wait(10)


PROXY_CONFIG = Path(settings.BASE_DIR) / "deploy" / "nginx" / "osai-index.conf"


def _nginx_main(folder: Path, name: str, http: str) -> Path:
    """An nginx main configuration running from `folder` with `http` as its http block."""
    conf = folder / f"{name}.conf"
    conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes {WORKERS};
pid {folder}/{name}.pid;
error_log {folder}/{name}-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path {folder}/{name}-body;
  proxy_temp_path {folder}/{name}-proxy;
  fastcgi_temp_path {folder}/{name}-fastcgi;
  uwsgi_temp_path {folder}/{name}-uwsgi;
  scgi_temp_path {folder}/{name}-scgi;
{http}
}}
""")
    return conf


@contextmanager
def _front_proxy(folder: Path, site_port: int):
    """The documented front nginx (PROXY_CONFIG) in front of the site, on a loopback port."""
    port = _free_port()
    cache_dir = folder / "proxy-cache"
    cache_dir.mkdir()
    site_config = (
        PROXY_CONFIG.read_text()
        .replace("__OSAI_LISTEN__", f"127.0.0.1:{port}")
        .replace("__OSAI_UPSTREAM__", f"127.0.0.1:{site_port}")
        .replace("__OSAI_CACHE_DIR__", str(cache_dir))
    )
    conf = _nginx_main(folder, "proxy", site_config)
    process = subprocess.Popen(
        [_which("nginx"), "-c", str(conf), "-p", str(folder), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "proxy-stderr.log", "wb"),  # noqa: SIM115 - the child process writes to it while it runs
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/healthz", process=process)
        yield port
    finally:
        process.terminate()
        process.wait(10)


_LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run_wrk(
    url: str, seconds: float, *, script: str | None = None, folder: Path | None = None, connections: int = CONNECTIONS
) -> dict:
    """One wrk run: {"rps": requests per second, "p99_ms": 99th percentile latency, "errors": count
    of non-2xx/3xx answers and socket errors}."""
    command = [
        _which("wrk"),
        "-t2",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        path = Path(folder or tempfile.gettempdir()) / f"wrk-{secrets.token_hex(4)}.lua"
        path.write_text(script)
        command += ["-s", str(path)]
    output = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if rps is None:
        raise RuntimeError(f"wrk gave no figures for {url}:\n{output}")
    return {
        "rps": float(rps.group(1)),
        "p99_ms": round(float(p99.group(1)) * _LATENCY_UNITS[p99.group(2)], 1) if p99 else None,
        "errors": errors + (int(non2xx.group(1)) if non2xx else 0),
        "output": output,
    }


def _fetch(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
        assert response.status == 200, (path, response.status)
        return response.read()


def reader_paths(port: int) -> dict[str, str]:
    """The reader paths under load, by figure name: real addresses of the running site."""
    from curation.charts.published import get_chart
    from curation.models import AIModel

    model = AIModel.objects.public().index_order().values_list("slug", flat=True).first()
    chart = get_chart("academic-share")
    paths = {
        "home": "/",
        "index": "/models/",
        "index_miss": "/models/",  # with MISS_SCRIPT
        "model": f"/models/{model}/",
        "api": "/api/v1/models/",
        "csv": "/models.csv",
    }
    if chart is not None:
        paths["chart_svg"] = chart.svg_url
    return paths


def measure_load(*, models: int, rounds: int, seconds: float, progress=None) -> dict:
    """The figures described in this module's docstring, for `models` synthetic models."""

    from curation.charts.publish import regenerate
    from curation.synthetic import populate_synthetic

    missing = missing_tools()
    if missing:
        raise BenchmarkUnavailable(
            f"the load benchmark needs {' and '.join(missing)}: install Debian's packages with "
            f"`apt-get install nginx-light wrk` (or nginx and wrk from your system)"
        )
    say = progress or (lambda text: print(text, file=sys.stderr, flush=True))
    figures: dict = {"load_models": models, "load_connections": CONNECTIONS, "load_rounds": rounds}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="osai-load-")))
        stack.enter_context(_file_database(folder))
        stack.enter_context(mock.patch("curation.receivers.request_chart_regeneration", return_value=True))
        bench = stack.enter_context(scratch_database())
        say(f"  load: {models} synthetic models")
        populate_synthetic(models, prefix="Load")
        if bench.connection.vendor == "postgresql":
            with bench.connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        regenerate(trigger="manual", render_all=True, even_without_changes=True)
        forget_cache()
        bench.connection.close()  # the servers' connections only, while they run
        site = stack.enter_context(_gunicorn(folder, settings.MEDIA_ROOT))
        paths = reader_paths(site)
        for path in paths.values():  # warm every worker's caches a little
            for _ in range(WORKERS * 2):
                _fetch(site, path)
        static = stack.enter_context(_nginx(folder, _fetch(site, "/models/")))
        static_url = f"http://127.0.0.1:{static}/static/index.html"
        proxy = stack.enter_context(_front_proxy(folder, site))
        static_rps: list[float] = []
        routes = {"": site, "proxy_": proxy}  # figure prefix -> port asked
        results: dict[str, list[dict]] = {prefix + name: [] for prefix in routes for name in paths}
        ratios: dict[str, list[float]] = {key: [] for key in results}
        for round_number in range(rounds):
            for name, path in paths.items():
                baseline = run_wrk(static_url, seconds, folder=folder)
                static_rps.append(baseline["rps"])
                for prefix, port in routes.items():
                    script = None
                    if name == "index_miss":
                        script = MISS_SCRIPT.replace(
                            "__BASE__", str(random.randrange(10**6) * 4 + round_number * 10**7)
                        )
                    measured = run_wrk(f"http://127.0.0.1:{port}{path}", seconds, script=script, folder=folder)
                    # Requests wrk gave up on may still be queued: let the workers finish them first.
                    _wait_for(f"http://127.0.0.1:{site}/healthz", seconds=120)
                    if not measured["rps"]:
                        say(f"  load: {prefix}{name} answered nothing; wrk said:\n{measured['output']}")
                    results[prefix + name].append(measured)
                    ratios[prefix + name].append(measured["rps"] / baseline["rps"] if baseline["rps"] else 0.0)
                    say(
                        f"  load round {round_number + 1}: {prefix}{name} {measured['rps']:.0f} req/s "
                        f"(static {baseline['rps']:.0f}, p99 {measured['p99_ms']} ms, errors {measured['errors']})"
                    )
        figures["load_rps_static"] = round(statistics.median(static_rps), 1)
        for prefix in routes:
            for name in paths:
                key = prefix + name
                figures[f"load_{prefix}rps_{name}"] = round(statistics.median(r["rps"] for r in results[key]), 1)
                p99s = [r["p99_ms"] for r in results[key] if r["p99_ms"] is not None]
                figures[f"load_{prefix}p99_ms_{name}"] = round(statistics.median(p99s), 1) if p99s else None
                figures[f"load_{prefix}errors_{name}"] = sum(r["errors"] for r in results[key])
                figures[f"load_{prefix}ratio_{name}"] = round(statistics.median(ratios[key]), 4)
        forget_cache()
    return figures


@benchmark(
    "load", "reader paths under load (gunicorn, 50 connections) against nginx serving a static file", on_request=True
)
def load_figures(quick: bool = False) -> dict:
    if quick:
        return measure_load(models=200, rounds=1, seconds=3)
    return measure_load(models=10_000, rounds=3, seconds=5)
