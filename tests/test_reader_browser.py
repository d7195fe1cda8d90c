"""The public site as readers open it in a real browser (Debian's chromium via Playwright), on
the real data: ../shared/data/main-database and ../shared/data/site-pages, imported.

Old addresses of osai-index.eu land on the right page; no page scrolls sideways on a 390 px
phone or a 1280 px desktop (wide tables scroll inside their own box). Screenshots go to
test-artifacts/ for people to look at.
"""

from __future__ import annotations

import pytest

from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1280)


@pytest.fixture
def browser_context(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def test_old_addresses_land_on_their_pages(live_server, real_site, browser_context):
    page = browser_context.new_page()
    olmo = real_site["olmo"]
    page.goto(f"{live_server.url}/model/olmo")
    assert page.url == f"{live_server.url}/models/{olmo.slug}/"
    assert page.locator("h1").inner_text() == olmo.name

    page.goto(f"{live_server.url}/database?type=image&performanceclass=latest")
    assert page.url.endswith("/models/?type=image&performance_class=latest")
    assert page.get_by_role("checkbox", name="Image", exact=True).is_checked()

    page.goto(f"{live_server.url}/the-index?type=text&trainingcode=1&view=grid")
    assert "grade_trainingcode=open" in page.url and "view=grid" in page.url
    assert page.locator(".model-card").count() > 0

    page.goto(f"{live_server.url}/compare?models=OLMO,deepseek-v3")
    assert "/compare/?models=" in page.url
    assert page.locator("table.compare-table caption").inner_text() == "2 models side by side"

    for slug in ("about", "contribute", "osai-definitions"):
        page.goto(f"{live_server.url}/{slug}")
        assert page.url == f"{live_server.url}/{slug}/"
        assert page.locator("main h1, main h2").count() > 0

    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response.ok and response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    response = page.goto(f"{live_server.url}/robots.txt")
    assert response.ok and "Sitemap:" in page.content()
    response = page.goto(f"{live_server.url}/images/DeepSeek_Dev.PNG")
    assert response.ok and response.headers["content-type"] == "image/png"


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways(live_server, real_site, browser_context, width):
    page = browser_context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    too_wide = {}
    for name, path in real_site["pages"].items():
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            too_wide[name] = overflow
        save_screenshot(page, f"reader-{width}-{name}")
    assert too_wide == {}, repr(too_wide)


def test_evidence_and_compare_by_name_work_without_javascript(live_server, real_site, chromium):
    from curation.models import AIModel
    from curation.public import queries

    deepseek = AIModel.objects.get(upstream_filename="deepseek-v3.yaml")
    olmo = real_site["olmo"]
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        # The model page: notes and evidence links on every assessed dimension.
        page.goto(f"{live_server.url}/models/{olmo.slug}/")
        evidence = page.locator("article.dimension a[rel~=external]")
        assert evidence.count() >= 5 and evidence.first.is_visible()

        # The index: a grade's evidence opens on demand.
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/models/?q={olmo.name}")
        details = page.locator("details.evidence").first
        assert not details.locator(".evidence-pop").is_visible()
        details.locator("summary").click()
        assert details.locator(".evidence-pop").is_visible()
        assert details.locator(".evidence-pop a").count() >= 1
        save_screenshot(page, "reader-1280-index-evidence-open")

        # Compare by name: type names (any case) into the fields, submit, get a shareable address.
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}/compare/")
        # A few names are suggested (the first of the index), not the whole index.
        suggested = min(AIModel.objects.public().count(), queries.COMPARE_SUGGESTIONS)
        assert page.locator("datalist#model-names option").count() == suggested
        page.locator("#compare-model-1").fill(olmo.name.upper())
        page.locator("#compare-model-2").fill(deepseek.name)
        page.get_by_role("button", name="Compare", exact=True).click()
        assert page.url == f"{live_server.url}/compare/?models={olmo.slug},{deepseek.slug}"
        assert page.locator("table.compare-table caption").inner_text() == "2 models side by side"
        assert page.locator("table.compare-table .evidence-list a").count() >= 5
        assert page.locator("table.compare-table .grade-notes").count() >= 5
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        save_screenshot(page, "reader-390-compare-by-name")
    finally:
        context.close()


def test_demo_guide_embedded_list_renders_rows(live_server, registry, chromium):
    """The demo guide's `::the-index` block filters by upstream's `performanceclass`."""
    from curation.editorial.importer import import_pages
    from curation.interchange import import_index
    from curation.management.commands.bootstrap_demo import DEMO_DATA, DEMO_PAGES
    from curation.models import AIModel

    import_index(DEMO_DATA)
    import_pages(DEMO_PAGES)
    expected = AIModel.objects.public().filter(types__contains="text", performance_class="latest").count()
    assert expected > 0
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/guides/reading-the-index/")
        rows = page.locator(".embed-index-table tbody tr")
        assert rows.count() == expected
        save_screenshot(page, "reader-390-demo-guide")
    finally:
        context.close()


def _background(page) -> tuple[int, ...]:
    color = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert not color.startswith("rgba"), color  # the page's own colour, not a transparent one
    return tuple(int(part) for part in color[color.index("(") + 1 : color.index(")")].split(",")[:3])


def test_dark_mode_follows_the_system_and_a_link_without_javascript(live_server, real_site, chromium):
    dark_system = chromium.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark")
    page = dark_system.new_page()
    try:
        for name in ("home", "index", "model", "compare", "news"):
            page.goto(f"{live_server.url}{real_site['pages'][name]}")
            assert sum(_background(page)) < 150, name  # a dark page
            save_screenshot(page, f"reader-390-dark-{name}")
        # The reader's pick wins over the system's.
        page.get_by_role("link", name="light", exact=True).click()
        assert sum(_background(page)) > 600
    finally:
        dark_system.close()

    light_system = chromium.new_context(
        viewport={"width": 1280, "height": 900}, color_scheme="light", java_script_enabled=False
    )
    page = light_system.new_page()
    try:
        page.goto(f"{live_server.url}/models/")
        assert sum(_background(page)) > 600
        page.get_by_role("link", name="dark", exact=True).click()
        assert page.url == f"{live_server.url}/models/"
        assert sum(_background(page)) < 150
        page.goto(f"{live_server.url}{real_site['pages']['model']}")
        assert sum(_background(page)) < 150  # remembered on the next page
        save_screenshot(page, "reader-1280-dark-model")
    finally:
        light_system.close()
