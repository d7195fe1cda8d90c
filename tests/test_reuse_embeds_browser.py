"""The embed pages in a real browser (Debian's chromium via Playwright): a page of another site
(another origin: 127.0.0.1 on a port of its own, the site being localhost) frames the embedded
chart and index and they render, while it cannot frame a normal page; axe-core finds no
accessibility violation on the embed pages, nor on the iframe code and citations of the index,
model and charts pages, light and dark."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from curation.charts import publish, published
from curation.datachanges import record_data_change
from curation.models import AIModel
from tests.accessibility_fixtures import axe_violations
from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHART = "academic-share"


@pytest.fixture
def embedded_site(settings, tmp_path, monkeypatch, make_organisation, make_ai_model, registry):
    settings.MEDIA_ROOT = tmp_path / "media"
    full = publish.catalogue
    monkeypatch.setattr(publish, "catalogue", lambda: {k: v for k, v in full().items() if k == CHART})
    refs = [d.ref for d in registry]
    make_ai_model(
        "Wide Open",
        grades=dict.fromkeys(refs, "open"),
        organisation=make_organisation("A University", sector="academic"),
    )
    make_ai_model("Somewhat Open", grades=dict.fromkeys(refs[:6], "partial"))
    record_data_change("test")
    publish.regenerate_stale()


@pytest.fixture
def other_site(live_server):
    """Another origin: a tiny HTTP server whose page frames the embeds and a normal page."""
    site = live_server.url
    page = f"""<!doctype html><html lang="en"><head><title>A blog</title></head><body>
<h1>A blog post about open models</h1>
<iframe id="chart" title="chart" src="{site}/embed/chart/{CHART}/" width="800" height="660"></iframe>
<iframe id="index" title="index" src="{site}/embed/index/?q=Open" width="800" height="500"></iframe>
<iframe id="normal" title="normal" src="{site}/models/" width="800" height="500"></iframe>
</body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_another_site_frames_the_embeds_but_no_other_page(live_server, embedded_site, other_site, chromium):
    assert urlsplit(other_site).netloc != urlsplit(live_server.url).netloc
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    refusals = []
    page.on("console", lambda message: refusals.append(message.text) if "frame-ancestors" in message.text else None)
    try:
        page.goto(other_site)
        page.wait_for_load_state("load")
        save_screenshot(page, "embed-other-site")
        frames = {
            name: page.locator(f"iframe#{name}").element_handle().content_frame()
            for name in ("chart", "index", "normal")
        }

        chart = frames["chart"]
        assert chart.url == f"{live_server.url}/embed/chart/{CHART}/"
        assert chart.locator("h1").inner_text() == published.get_chart(CHART).title
        image = chart.locator("figure.chart img")
        image.wait_for()
        assert chart.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())

        index = frames["index"]
        assert index.url == f"{live_server.url}/embed/index/?q=Open"
        names = index.locator("table.embed-index tbody th").all_inner_texts()
        assert names == ["Wide Open", "Somewhat Open"]

        # The normal page is refused: the browser shows its own error page in the frame instead.
        normal = frames["normal"]
        assert not normal.url.startswith(live_server.url)
        assert normal.locator("table.index").count() == 0
        assert any("frame-ancestors 'none'" in text for text in refusals), refusals
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_embed_pages_have_no_accessibility_violations(live_server, embedded_site, chromium, axe_source, scheme):
    context = chromium.new_context(viewport={"width": 800, "height": 700}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        slug = AIModel.objects.get(name="Wide Open").slug
        for path in (
            f"/embed/chart/{CHART}/",
            "/embed/index/",
            "/embed/index/?q=nothing-matches",
            "/models/",
            f"/models/{slug}/",
            "/charts/",
        ):
            page.goto(f"{live_server.url}{path}")
            # The iframe code and the citations, opened as a reader opens them.
            page.evaluate(
                "document.querySelectorAll('details.embed-snippet, details.cite-this').forEach(d => { d.open = true; })"
            )
            violations = axe_violations(page, axe_source)
            if violations:
                found[path] = violations
                save_screenshot(page, f"axe-embed-{scheme}-{path.strip('/').replace('/', '-')}")
    finally:
        context.close()
    assert found == {}, found
