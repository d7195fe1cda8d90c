"""axe-core (from the npm registry, see package.json) finds no accessibility violation on the
reader pages, in the light and the dark colour scheme, on the real data."""

from __future__ import annotations

import json

import pytest

from tests.accessibility_fixtures import axe_violations
from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PAGES = (
    "home",
    "index",
    "index-grid",
    "model",
    "compare",
    "charts",
    "news-list",
    "news",
    "guide",
    "withdrawn",
    "compare-withdrawn",
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(live_server, real_site, chromium, axe_source, scheme):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    found = {}
    try:
        for name in PAGES:
            page.goto(f"{live_server.url}{real_site['pages'][name]}")
            violations = axe_violations(page, axe_source)
            if violations:
                found[name] = violations
                save_screenshot(page, f"axe-{scheme}-{name}")
    finally:
        context.close()
    assert found == {}, json.dumps(found, indent=1)
