"""A reader's path through the site in a real browser (Debian's chromium via Playwright).

Load the index, filter by type and performance class, open a model page, compare two models,
download the CSV. Screenshots go to test-artifacts/ for people to look at.
"""

import csv
import datetime
import io
from pathlib import Path

import pytest

from curation.operations.celery_processes import wait_until
from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(chromium):
    context = chromium.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def reader_data(make_ai_model, make_organisation, registry):
    active = [d.ref for d in registry if d.is_active]
    lab = make_organisation("Open Lab")
    corp = make_organisation("Closed Corp")
    make_ai_model(
        "Open Coder",
        grades=dict.fromkeys(active, "open"),
        organisation=lab,
        types="text,code",
        performance_class="latest",
        base_model_name="Coder base",
        release_date=datetime.date(2025, 3, 1),
        link="https://example.org/open-coder",
    )
    make_ai_model(
        "Half Coder",
        grades=dict.fromkeys(active[:6], "partial"),
        organisation=corp,
        types="code",
        performance_class="latest",
        link="https://example.org/half-coder",
    )
    make_ai_model(
        "Old Coder",
        grades=dict.fromkeys(active[:3], "open"),
        organisation=lab,
        types="code",
        performance_class="limited",
    )
    make_ai_model(
        "Chatty", grades=dict.fromkeys(active[:8], "open"), organisation=corp, types="text", performance_class="latest"
    )
    make_ai_model("Painter", organisation=corp, types="image", performance_class="full")


def shot(page, name):
    save_screenshot(page, f"public-{name}")


def row_names(page):
    return page.locator("table.index tbody th[scope=row] a.model-name").all_inner_texts()


# Tests ask for the data before the browser: Playwright's sync API runs an event loop in this
# thread, and database work done while it runs would open a connection of its own.
def test_reader_filters_opens_compares_and_downloads(live_server, reader_data, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/models/")
    assert page.title().startswith("The index")
    assert row_names(page) == ["Open Coder", "Chatty", "Half Coder", "Old Coder", "Painter"]
    shot(page, "1-index")

    # Keyboard first: the skip link is the first stop.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    # Filter by type and performance class with the plain form.
    page.get_by_role("checkbox", name="Code", exact=True).check()
    page.get_by_role("checkbox", name="Latest", exact=True).check()
    page.get_by_role("button", name="Apply").click()
    page.wait_for_load_state()
    assert "type=code" in page.url and "performance_class=latest" in page.url
    assert row_names(page) == ["Open Coder", "Half Coder"]
    shot(page, "2-filtered")

    # Download the CSV of the current filter.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).first.click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["Model Name", "URL", "Total Score"]
    assert [r[0] for r in rows[1:]] == ["Open Coder", "Half Coder"]
    assert rows[1][1].endswith("/models/open-coder/") and rows[1][2] == "1.0000"

    # Open a model page.
    page.get_by_role("link", name="Open Coder", exact=True).click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Open Coder"
    assert page.get_by_text("Open Lab").first.is_visible()
    shot(page, "3-model")

    # Back to the index; tick two models and compare them.
    page.go_back()
    page.get_by_role("checkbox", name="Compare Open Coder").check()
    page.get_by_role("checkbox", name="Compare Half Coder").check()
    assert "2 selected" in page.locator("#compare-form").inner_text()
    page.get_by_role("button", name="Compare selected models").click()
    page.wait_for_load_state()
    assert "/compare/" in page.url
    headers = page.locator("table.compare-table thead th a").all_inner_texts()
    assert headers == ["Open Coder", "Half Coder"]
    assert page.locator("table.compare-table caption").inner_text() == "2 models side by side"
    shot(page, "4-compare")


def test_phone_grid_view(live_server, reader_data, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/models/?view=grid")
    cards = page.locator(".model-card")
    assert cards.count() == 5
    # Nothing wider than the phone's screen but the scrollable table wrapper.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(page, "5-phone-grid")


def _right_edge(page, selector) -> float:
    box = page.locator(selector).first.bounding_box()
    return box["x"] + box["width"]


def test_phone_sees_the_openness_score_and_scrolls_tables_by_keyboard(
    live_server, reader_data, browser_page, make_ai_model
):
    from curation.models import AIModel

    make_ai_model("A Rather Long Model Name For Narrow Screens 70B Instruct", types="text", performance_class="latest")
    AIModel.objects.filter(name="Open Coder").update(hf_downloads=1_234_567)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    for path, label in (("/models/", "Openness"), ("/models/?ordering=-downloads", "Downloads"), ("/", "Openness")):
        page.goto(f"{live_server.url}{path}")
        header = f'table.index thead th:has-text("{label}")'
        assert _right_edge(page, header) <= 390, f"{path}: {label} is off-screen"
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        shot(page, f"6-phone-{label.lower()}-{path.strip('/').replace('/', '-').replace('?', '-') or 'home'}")
        boxes = page.locator(".table-scroll")
        assert boxes.count() > 0
        for i in range(boxes.count()):
            box = boxes.nth(i)
            assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
            assert box.get_attribute("aria-label")
    # The keyboard scrolls the table's own box sideways.
    page.goto(f"{live_server.url}/models/")
    box = page.locator(".table-scroll").first
    box.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("End")
    # Polled from the test: wait_for_function would evaluate a string in the page, which the
    # site's Content Security Policy (no 'unsafe-eval') rightly refuses.
    assert wait_until(lambda: page.evaluate("document.querySelector('.table-scroll').scrollLeft") > 0, 5)


def test_the_sort_select_shows_its_whole_choice(live_server, reader_data, browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/models/?ordering=-downloads")
    select = page.locator("#id_ordering")
    assert "Downloads" in select.evaluate("s => s.options[s.selectedIndex].text")
    # Every choice's text fits the select's box (measured in the select's own font).
    too_long = select.evaluate("""s => {
        const style = getComputedStyle(s);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
        return [...s.options].map(o => o.text).filter(t => ctx.measureText(t).width > room);
    }""")
    assert too_long == []
    shot(page, "7-sort-by-downloads")


def test_the_index_table_says_it_scrolls_sideways(live_server, reader_data, browser_page):
    """At 1280 px the dimension columns run past the edge: a hint says so in words, and a shadow
    is pinned to the box's right edge until the reader has scrolled to the end."""
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/models/")
    hint = page.locator("#index-scroll-hint")
    assert hint.is_visible() and "scrolls sideways" in hint.inner_text()
    box = page.locator(".table-scroll").first
    assert box.get_attribute("aria-describedby") == "index-scroll-hint"
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")

    width = box.evaluate("b => parseFloat(getComputedStyle(b, '::after').width)")
    assert width > 0, "the shadow is drawn"
    assert box.evaluate("b => getComputedStyle(b, '::after').position") == "sticky"
    # Scrolled to the end, the whole table is in view and the shadow sits past it, not over it.
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    table_right = box.evaluate("b => b.querySelector('table').getBoundingClientRect().right")
    box_right = box.evaluate("b => b.getBoundingClientRect().right")
    assert box_right - table_right >= width - 1
    shot(page, "7-index-scroll-cue")
