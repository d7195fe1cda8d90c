"""axe-core (from the npm registry, see package.json) finds no accessibility violation on the
reader pages, in the light and the dark colour scheme, on the real data."""
from __future__ import annotations

import json

import pytest

from tests.conftest import PROJECT_ROOT, _missing, save_screenshot
from tests.reader_fixtures import real_site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ("home", "index", "index-grid", "model", "compare", "charts", "news-list", "news", "guide", "withdrawn",
         "compare-withdrawn")


@pytest.fixture
def axe_source():
    if not AXE.exists():
        _missing(f"{AXE} is missing (npm ci installs axe-core from package.json)")
    return AXE.read_text(encoding="utf-8")


def _violations(page, axe_source) -> list[str]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => JSON.stringify((await axe.run(document)).violations)")
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:5])}"
        for v in json.loads(result)
    ]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(live_server, real_site, chromium, axe_source, scheme):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for name in PAGES:
            page.goto(f"{live_server.url}{real_site['pages'][name]}")
            violations = _violations(page, axe_source)
            if violations:
                found[name] = violations
                save_screenshot(page, f"axe-{scheme}-{name}")
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1)
