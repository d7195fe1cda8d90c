"""The imported upstream site in Debian's chromium, on a phone and on a desktop screen: the
pages fit the screen (wide tables scroll inside their box), show their pictures, and the menu
leads where the imported menu says."""

from __future__ import annotations

import pytest

from curation.editorial.importer import import_pages
from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/about/", "/contribute/", "/database/", "/news/deepseek/", "/guides/open-llms-education/"]
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
BROKEN_IMAGES_JS = "() => [...document.images].filter(i => i.complete && i.naturalWidth === 0).map(i => i.src)"


def test_imported_pages_fit_phone_and_desktop_screens(chromium, live_server, registry, shared_database, shared_pages):
    from curation.interchange import import_index

    import_index(shared_database)
    report = import_pages(shared_pages)
    assert report.skipped == []
    for name, viewport in {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}.items():
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        for path in PAGES:
            response = page.goto(live_server.url + path, wait_until="load")
            assert response.status == 200, path
            assert page.evaluate(OVERFLOW_JS) <= 0, (name, path)
            assert page.evaluate(BROKEN_IMAGES_JS) == [], (name, path)
            save_screenshot(page, f"site-pages-{name}-{path.strip('/').replace('/', '-') or 'home'}")
        if name == "desktop":
            page.goto(live_server.url + "/")
            page.get_by_role("navigation", name="Main").get_by_role("link", name="About").click()
            page.wait_for_load_state("load")
            assert page.url == live_server.url + "/about/" and page.locator(".embed-person").count() == 5
        context.close()
