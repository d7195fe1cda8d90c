"""The /charts/ page in a real browser with JavaScript off: every picture loads, tables are there.

Debian's chromium via Playwright; a screenshot goes to test-artifacts/charts-page.png.
"""

import pytest

from tests.charts_helpers import build_demo_index
from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_charts(make_organisation, make_ai_model, settings, tmp_path):
    from curation.charts.publish import regenerate

    settings.MEDIA_ROOT = tmp_path / "media"
    build_demo_index(make_organisation, make_ai_model)
    regenerate(trigger="test", render_all=True)


@pytest.fixture
def page_without_javascript(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# The data is published before the browser starts (Playwright's event loop owns this thread).
def test_charts_page_shows_every_chart_without_javascript(live_server, published_charts, page_without_javascript):
    from curation.charts.catalogue import chart_keys

    page = page_without_javascript
    page.goto(f"{live_server.url}/charts/")
    page.wait_for_load_state("load")
    images = page.locator("figure.chart img")
    assert images.count() == len(chart_keys())
    for i in range(images.count()):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        assert image.get_attribute("alt"), "every chart has a text alternative"
    # Lazy images load once scrolled to; a decoded SVG has a natural width.
    for _ in range(50):
        widths = [images.nth(i).evaluate("img => img.naturalWidth") for i in range(images.count())]
        if all(widths):
            break
        page.wait_for_timeout(100)
    assert all(w > 0 for w in widths), widths
    assert page.locator("table.chart-data").count() == len(chart_keys())
    save_screenshot(page, "charts-page")

    page.get_by_role("link", name="JSON").first.click()
    assert '"slices"' in page.content()


def test_charts_stay_readable_on_a_phone(live_server, published_charts, chromium):
    """A phone draws each chart at least 40rem wide, flush with the page (no figure indent),
    scrolling it sideways inside its own figure; the page itself never gets wider than the screen."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/charts/")
        figure = page.locator("figure.chart").first
        image = figure.locator("img")
        assert image.evaluate("img => img.getBoundingClientRect().width") >= 640
        assert figure.evaluate("f => f.getBoundingClientRect().left") <= 20
        assert figure.evaluate("f => f.scrollWidth > f.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        save_screenshot(page, "charts-phone")
    finally:
        context.close()
