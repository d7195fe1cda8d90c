"""Suggesting a correction in a real browser: on a phone, without JavaScript, the form is sent
and confirmed, and its honeypot field stays out of sight (hidden by the stylesheet, since the
Content Security Policy forbids inline styles)."""

from __future__ import annotations

import pytest

from tests.conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_reader_suggests_a_correction_on_a_phone_without_javascript(live_server, chromium, make_ai_model, settings):
    from curation.models import ChangeRequest

    # The browser always comes from 127.0.0.1, whose count a shared Redis keeps between runs;
    # the limit itself is tested in test_public_suggestions.
    settings.OSAI_SUGGESTION_RATE = "1000/minute"

    model = make_ai_model("Phone Model", grades={"licenses": "closed"})
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/models/{model.slug}/")
        page.locator("#licenses").get_by_role("link", name="Suggest a correction to this grade").click()
        assert page.url.endswith(f"/models/{model.slug}/suggest/?field=assessment:licenses")
        assert page.get_by_label("What is wrong").input_value() == "assessment:licenses"
        assert not page.locator(".form-trap input").is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        page.get_by_label("What it should be").select_option("open")
        page.get_by_label("Evidence link").fill("not a link")
        page.get_by_role("button", name="Send the suggestion").click()
        assert "must be a web address starting with http://" in page.locator("[role=alert]").first.inner_text()
        page.get_by_label("Evidence link").fill("https://example.org/licence")
        page.get_by_label("Your e-mail (optional)").fill("reader@example.org")
        save_screenshot(page, "suggest-390-form")
        page.get_by_role("button", name="Send the suggestion").click()
        assert page.url.endswith(f"/models/{model.slug}/suggest/sent/")
        assert "in the review queue" in page.locator("[role=status]").inner_text()
        save_screenshot(page, "suggest-390-sent")
    finally:
        context.close()
    cr = ChangeRequest.objects.get()
    assert cr.from_public and cr.after["grade"] == "open" and cr.submitter_email == "reader@example.org"


def test_the_dimension_chart_shows_on_a_phone(live_server, chromium, make_ai_model):
    for grade in ("open", "partial", "closed"):
        make_ai_model(f"{grade.title()} Model", grades={"licenses": grade})
    context = chromium.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/dimensions/licenses/")
        chart = page.locator("svg.stacked-bars")
        assert chart.is_visible()
        box = chart.bounding_box()
        assert 0 < box["width"] <= 390 and box["height"] > 50
        fills = page.evaluate(
            "[...document.querySelectorAll('svg.stacked-bars rect')].map(r => getComputedStyle(r).fill)"
        )
        assert len(set(fills)) == 3  # one colour per grade, from the stylesheet
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        save_screenshot(page, "dimension-390-licenses")
    finally:
        context.close()


def test_models_not_included_read_as_cards_on_a_phone(live_server, chromium, django_user_model):
    import datetime

    from django.contrib.auth.models import Group

    from curation import roles
    from curation.models import DeclinedCandidate
    from curation.not_included import save_declined_candidate

    roles.ensure_roles()
    curator = django_user_model.objects.create_user("list-keeper", is_staff=True)
    curator.groups.add(Group.objects.get(name=roles.CURATOR))
    save_declined_candidate(
        DeclinedCandidate(
            name="Finetune-7B",
            organisation="A Lab",
            link="https://example.org/finetune",
            considered_on=datetime.date(2025, 5, 1),
            reason="A fine-tune of a model already in the index, with nothing of its own to assess.",
        ),
        user=curator,
    )
    context = chromium.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/models/not-included/")
        reason = page.locator('td[data-label="Reason"]').first
        assert reason.bounding_box()["width"] >= 300  # not squeezed beside the other columns
        assert page.locator("table.stacked-on-phone caption").bounding_box()["width"] >= 300
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        save_screenshot(page, "not-included-390")
    finally:
        context.close()
