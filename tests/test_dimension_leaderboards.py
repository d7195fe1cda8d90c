"""Leaderboards per dimension: models grouped by grade with evidence, and the share of each grade
over time counted on a hand-built history."""

from __future__ import annotations

import datetime

import pytest

from curation.models import AIModel, Assessment, HistoryEntry
from curation.public.leaderboards import (
    dimension_leaderboard,
    grade_shares_over_time,
    sample_days,
)

UTC = datetime.UTC


def at(day: str) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(12), tzinfo=UTC)


@pytest.fixture
def history(make_ai_model, registry):
    """Alpha since January, closed on licences until its relicensing on 15 March; Beta open since
    20 February; Gamma since January, open until it was made a draft on 10 April."""
    alpha = make_ai_model("Alpha", grades={"licenses": "open"})
    beta = make_ai_model("Beta", grades={"licenses": "open"})
    gamma = make_ai_model("Gamma", grades={"licenses": "open"}, is_public=False)
    AIModel.objects.filter(pk__in=[alpha.pk, gamma.pk]).update(created_at=at("2025-01-10"))
    AIModel.objects.filter(pk=beta.pk).update(created_at=at("2025-02-20"))
    HistoryEntry.objects.create(
        ai_model=alpha,
        target_label="Alpha",
        field="assessment:licenses",
        applied_at=at("2025-03-15"),
        before={"grade": "closed", "links": [], "notes": ""},
        after={"grade": "open", "links": ["https://example.org/l"], "notes": ""},
    )
    HistoryEntry.objects.create(
        ai_model=gamma,
        target_label="Gamma",
        field="is_public",
        applied_at=at("2025-04-10"),
        before=True,
        after=False,
    )
    return alpha, beta, gamma


def test_shares_over_time_follow_the_history(history):
    days = [
        datetime.date(2024, 12, 31),
        datetime.date(2025, 1, 31),
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 4, 30),
    ]
    points = grade_shares_over_time("licenses", days)
    counts = [(p.counts["open"], p.counts["partial"], p.counts["closed"]) for p in points]
    assert counts == [
        (0, 0, 0),  # nothing yet
        (1, 0, 1),  # Alpha closed, Gamma open
        (2, 0, 1),  # Beta arrives open
        (3, 0, 0),  # Alpha relicensed
        (2, 0, 0),  # Gamma withdrawn to a draft
    ]
    assert points[2].percent("open") == pytest.approx(200 / 3)
    assert points[0].total == 0 and points[0].percent("open") == 0


def test_a_dimension_that_does_not_apply_counts_nobody(make_ai_model, registry):
    from curation.models import Dimension

    text_only = next(d for d in registry if d.is_active)
    Dimension.objects.filter(pk=text_only.pk).update(applicable_types="text")
    make_ai_model("Picture", types="image")
    make_ai_model("Words", types="text", grades={text_only.ref: "partial"})
    today = datetime.date.today()
    [point] = grade_shares_over_time(text_only.ref, [today])
    assert point.total == 1 and point.counts["partial"] == 1


def test_the_leaderboard_groups_public_models_by_grade_with_evidence(make_ai_model, registry):
    make_ai_model("Open One", grades={"licenses": "open"})
    make_ai_model("Partial One", grades={"licenses": "partial"})
    make_ai_model("Closed One")
    make_ai_model("Hidden", grades={"licenses": "open"}, is_public=False)
    Assessment.objects.filter(ai_model__name="Open One", dimension__ref="licenses").update(
        links=["https://example.org/apache"], notes="Apache 2.0"
    )
    licences = next(d for d in registry if d.ref == "licenses")
    groups = {g.grade: g for g in dimension_leaderboard(licences)}
    assert [e.model.name for e in groups["open"].entries] == ["Open One"]
    assert groups["open"].entries[0].links == ("https://example.org/apache",)
    assert groups["open"].entries[0].notes == "Apache 2.0"
    assert [e.model.name for e in groups["partial"].entries] == ["Partial One"]
    assert [e.model.name for e in groups["closed"].entries] == ["Closed One"]
    assert "not_assessed" not in groups  # shown only when a model has it


def test_sample_days_are_month_ends_then_today_at_most_twelve():
    days = sample_days(datetime.date(2025, 1, 10), datetime.date(2025, 4, 5))
    assert days == [
        datetime.date(2025, 1, 31),
        datetime.date(2025, 2, 28),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 4, 5),
    ]
    long = sample_days(datetime.date(2020, 1, 1), datetime.date(2026, 6, 15))
    assert len(long) <= 12 and long[-1] == datetime.date(2026, 6, 15)
    assert long == sorted(long) and all(d.month != (d + datetime.timedelta(days=1)).month for d in long[:-1])


def test_the_dimension_pages_show_groups_chart_and_table(client, history, registry):
    index = client.get("/dimensions/")
    assert index.status_code == 200
    assert "/dimensions/licenses/" in index.content.decode()
    assert "Today: 2 open, 0 partial, 0 closed (of 2 models)" in index.content.decode()
    page = client.get("/dimensions/licenses/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg viewBox=" in body and 'role="img"' in body and '<title id="share-title">' in body
    assert "Models by grade on" in body  # the table fallback
    assert body.count('href="/models/alpha/#licenses"') == 1 and "/models/gamma/" not in body
    assert "style=" not in body.split("<main", 1)[1]
    assert client.get("/dimensions/licenses/")["X-Page-Cache"] == "hit"
    assert client.get("/dimensions/no-such-thing/").status_code == 404


def test_model_page_links_its_dimensions_and_the_sitemap_lists_the_pages(client, history):
    alpha = history[0]
    body = client.get(f"/models/{alpha.slug}/").content.decode()
    assert 'href="/dimensions/licenses/"' in body
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/dimensions/licenses/</loc>" in sitemap and "/models/not-included/</loc>" in sitemap


def test_a_reviewed_change_shows_at_once_on_the_leaderboard_and_its_share(client, make_ai_model, django_user_model):
    from curation.review.services import edit_directly

    model = make_ai_model("Changing", grades={"licenses": "closed"})
    before = client.get("/dimensions/licenses/").content.decode()
    assert "Closed 1 of 1 (100.0%)" in before
    root = django_user_model.objects.create_superuser("root-dim", "root@example.org", "x")
    edit_directly(
        model,
        "assessment:licenses",
        {"grade": "open", "links": ["https://example.org/l"], "notes": ""},
        user=root,
        rationale="Relicensed",
    )
    after = client.get("/dimensions/licenses/").content.decode()
    assert "Open 1 of 1 (100.0%)" in after and "Closed 1 of 1" not in after


def test_one_process_works_the_shares_out_for_all(history, monkeypatch):
    """The shares are kept in the shared cache per data version: another process (here, the
    same function without its per-process memo) reads them instead of rebuilding the index."""
    from curation.public import leaderboards

    calls = []
    real = leaderboards.shares_over_time
    monkeypatch.setattr(leaderboards, "shares_over_time", lambda refs, days: calls.append(days) or real(refs, days))
    today = datetime.date.today()
    first = leaderboards.shared_share_history(today)
    again = leaderboards.shared_share_history(today)
    assert len(calls) == 1 and again == first
    assert first["licenses"][-1].counts["open"] == 2  # Alpha and Beta today; Gamma is a draft
    from curation.datachanges import record_data_change

    record_data_change("a reviewed change")
    leaderboards.shared_share_history(today)
    assert len(calls) == 2
