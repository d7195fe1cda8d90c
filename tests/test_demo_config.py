"""The demo (`bash scripts/run-demo.sh`) as readers meet it: its settings (scripts/demo-env.sh)
run the site with DEBUG off on a bare machine, so a missing page is the site's own 404 page,
never Django's debug page; plain HTTP works (no redirect to HTTPS) and static files are served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from curation.operations.celery_processes import wait_until
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def _demo_environment(tmp_path) -> dict[str, str]:
    """The environment scripts/demo-env.sh sets, on top of a bare one (no DEBUG, no key)."""
    bare = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DEBUG", "DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    bare["OSAI_DEMO_KEY_FILE"] = str(tmp_path / "secret-key")
    dumped = subprocess.run(
        ["bash", "-c", ". scripts/demo-env.sh && env -0"],
        cwd=PROJECT_ROOT,
        env=bare,
        capture_output=True,
        check=True,
    ).stdout.decode()
    env = dict(item.split("=", 1) for item in dumped.split("\0") if "=" in item)
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_the_demo_runs_with_debug_off_and_shows_the_sites_own_pages(tmp_path):
    env = _demo_environment(tmp_path)
    assert env["DEBUG"] == "false" and len(env["DJANGO_SECRET_KEY"]) >= 50
    assert (tmp_path / "secret-key").read_text().strip() == env["DJANGO_SECRET_KEY"]  # made once, kept
    assert _demo_environment(tmp_path)["DJANGO_SECRET_KEY"] == env["DJANGO_SECRET_KEY"]
    port = _free_port()
    # The README's demo command installs, then runs scripts/serve-demo.sh: run that very script.
    server = subprocess.Popen(
        ["bash", "scripts/serve-demo.sh", "--noreload"],
        cwd=PROJECT_ROOT,
        env={**env, "PYTHON": sys.executable, "OSAI_DEMO_PORT": str(port)},
        stdout=(log := (tmp_path / "demo.log").open("wb")),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def answering() -> bool:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                assert server.poll() is None, (tmp_path / "demo.log").read_text()
                return False
            return True

        assert wait_until(answering, 120, 0.5), "the demo never answered"  # bootstrap_demo loads data first
        status, html, _headers = _get(f"{base}/no-such-page/")
        assert status == 404
        assert "We could not find that page" in html and 'href="/static/curation/site.css"' in html
        assert "Using the URLconf" not in html and "DEBUG = True" not in html  # not Django's debug page
        status, html, _headers = _get(f"{base}/models/no-such-model/")
        assert status == 404 and "We could not find that page" in html and "Traceback" not in html
        status, _css, headers = _get(f"{base}/static/curation/site.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        status, html, headers = _get(f"{base}/")
        assert status == 200, (status, headers.get("Location"))  # plain HTTP, no redirect to HTTPS
        assert "Strict-Transport-Security" not in headers
        assert "OLMo" in html  # the demo data is loaded
        # The accounts printed, with the address the script is about to start the site on.
        assert (
            f"The demo data and accounts are ready. The site starts now at {base}/: log in at {base}/admin/ with:"
            in ((tmp_path / "demo.log").read_text())
        )
        for old_link, title in (("/about", "About the index"), ("/contribute", "Contribute")):
            status, _html, headers = _get(f"{base}{old_link}")  # osai-index.eu's addresses
            assert status == 301, (old_link, status)
            status, html, _headers = _get(f"{base}{headers['Location']}")
            assert status == 200 and f"<h1>{title}</h1>" in html.replace("\n", ""), (old_link, status)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def test_the_readme_says_how_to_serve_the_demo_on_another_port():
    # The variable the demo script reads for its port (the demo test above serves on a free one
    # through it) is the one the README's quick start tells readers to set.
    script = (PROJECT_ROOT / "scripts" / "serve-demo.sh").read_text()
    readme = (PROJECT_ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert 'address="127.0.0.1:${OSAI_DEMO_PORT:-8000}"' in script
    assert "`OSAI_DEMO_PORT=8001 bash scripts/run-demo.sh`" in quick_start
