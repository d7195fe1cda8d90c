"""A curator changes a grade and a reviewer approves it, in Debian's chromium against a live
server, as new users of the admin would; the model's admin history and public page show it."""

from __future__ import annotations

import pytest

from curation.models import ChangeRequest

from .conftest import save_screenshot
from .review_fixtures import grade_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1300, "height": 1000})
    yield context.new_page()
    context.close()


def _log_in(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")


def test_curator_proposes_reviewer_approves_and_history_shows_it(live_server, page, people, graded_model):
    base = live_server.url
    _log_in(page, base, "curator")
    page.goto(f"{base}/admin/curation/aimodel/{graded_model.pk}/change/")
    page.select_option("#id_grade__weights_endmodel", "open")
    page.fill("#id_links__weights_endmodel", "https://example.org/hub")
    page.fill("#id_rationale", "The weights are on the hub without a gate")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    assert "proposed for review" in page.inner_text("ul.messagelist")
    assert grade_of(graded_model, "weights_endmodel") == "partial"
    save_screenshot(page, "review-browser-proposed")

    _log_in(page, base, "reviewer")
    assert "Awaiting your review" in page.inner_text("#review-panel")
    page.click("#review-panel a >> text=Awaiting your review")
    page.click("#result_list tbody tr:first-child td.field-number a, #result_list tbody tr:first-child th a")
    page.wait_for_selector("#id_decision_comment")
    assert "Partial" in page.inner_text(".review-diff") and "Open" in page.inner_text(".review-diff")
    page.fill("#id_decision_comment", "Checked the hub page")
    page.click("button[value=approve]")
    page.wait_for_selector("ul.messagelist")
    assert "approved and applied" in page.inner_text("ul.messagelist")
    assert ChangeRequest.objects.get().state == "approved"
    assert grade_of(graded_model, "weights_endmodel") == "open"

    page.goto(f"{base}/admin/curation/aimodel/{graded_model.pk}/change/")
    history = page.inner_text("div.field-history")
    assert "End User Model Weights" in history and "curator" in history and "reviewer" in history
    save_screenshot(page, "review-browser-history")

    page.context.clear_cookies()  # a reader, not logged in
    page.goto(f"{base}/models/{graded_model.slug}/")
    reader_view = page.inner_text("main")
    assert "End User Model Weights" in reader_view and "Checked the hub page" not in reader_view
