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


def test_readers_never_rebuild_the_past_once_the_worker_has_stored_it(history, monkeypatch):
    """The past days' shares are worked out by the worker (work_out_past_shares) once per data
    version; a reader's request reads them, and today's point comes from today's data."""
    from curation.datachanges import record_data_change
    from curation.public import leaderboards

    calls = []
    real = leaderboards.shares_over_time
    monkeypatch.setattr(leaderboards, "shares_over_time", lambda refs, days: calls.append(days) or real(refs, days))
    today = datetime.date.today()
    assert leaderboards.work_out_past_shares(today) is True
    assert leaderboards.work_out_past_shares(today) is False  # stored for this version and these days
    assert len(calls) == 1
    past = leaderboards.past_share_history(today)["licenses"]
    days = leaderboards.sample_days(datetime.date(2025, 1, 10), today)[:-1]
    assert [p.day for p in past] == days
    assert [p.counts for p in past] == [p.counts for p in real(["licenses"], days)["licenses"]]

    Assessment.objects.filter(ai_model=history[1], dimension__ref="licenses").update(grade="closed")
    record_data_change("a reviewed change")
    points = leaderboards._share_history(today)["licenses"]
    assert len(calls) == 1  # the reader did not rebuild anything
    assert [p.counts for p in points[:-1]] == [p.counts for p in past]  # a change today leaves the past
    assert points[-1].day == today and (points[-1].counts["open"], points[-1].counts["closed"]) == (1, 1)
    assert leaderboards.work_out_past_shares(today) is True  # the worker, after the change
    assert len(calls) == 2


def test_the_worker_works_out_todays_shares_so_that_no_reader_waits_for_them(history, monkeypatch):
    """Today's point groups every grade of every public model: the worker stores it per data
    version, and a dimension page after a change reads it instead of grouping again."""
    from curation.datachanges import record_data_change
    from curation.public import leaderboards

    calls = []
    real = leaderboards.shares_today
    monkeypatch.setattr(leaderboards, "shares_today", lambda refs, day: calls.append(day) or real(refs, day))
    today = datetime.date.today()
    Assessment.objects.filter(ai_model=history[1], dimension__ref="licenses").update(grade="closed")
    record_data_change("a reviewed change")
    leaderboards.work_out_past_shares(today)
    assert calls == [today]
    points = leaderboards._share_history(today)["licenses"]
    assert calls == [today]  # the reader grouped nothing
    assert (points[-1].counts["open"], points[-1].counts["closed"]) == (1, 1)


def test_with_nothing_stored_one_reader_works_the_past_out_and_the_others_show_today(history, monkeypatch):
    from django.core.cache import cache

    from curation.public import leaderboards

    today = datetime.date.today()
    cache.add(leaderboards.PAST_SHARES_LOCK_KEY, 1, 60)  # another process is working them out
    assert leaderboards.past_share_history(today) == {}
    points = leaderboards._share_history(today)["licenses"]
    assert [p.day for p in points] == [today] and points[0].counts["open"] == 2
    cache.delete(leaderboards.PAST_SHARES_LOCK_KEY)
    assert len(leaderboards.past_share_history(today)["licenses"]) >= 4  # worked out here, then stored
    assert cache.get(leaderboards.PAST_SHARES_KEY) is not None


def test_todays_shares_from_todays_data_match_the_rebuilt_index(make_ai_model, registry):
    """`shares_today` (two grouped queries) counts as `shares_over_time` does on the rebuilt index:
    applicability by type, a missing assessment as not assessed, an unknown grade as unrecognised."""
    from curation.models import Dimension
    from curation.public import leaderboards

    text_only = next(d for d in registry if d.is_active and d.ref != "licenses")
    Dimension.objects.filter(pk=text_only.pk).update(applicable_types="text")
    make_ai_model("Words", types="text", grades={"licenses": "open", text_only.ref: "partial"})
    make_ai_model("Picture", types="image", grades={"licenses": "partial"})
    unassessed = make_ai_model("Unassessed", types="text,image")
    Assessment.objects.filter(ai_model=unassessed, dimension__ref="licenses").delete()
    odd = make_ai_model("Odd", types="text")
    Assessment.objects.filter(ai_model=odd, dimension__ref="licenses").update(grade="mostly")
    make_ai_model("Draft", types="text", grades={"licenses": "open"}, is_public=False)
    today = datetime.date.today()
    refs = list(Dimension.objects.values_list("ref", flat=True))
    live = leaderboards.shares_today(refs, today)
    rebuilt = leaderboards.shares_over_time(refs, [today])
    assert {ref: point.counts for ref, point in live.items()} == {
        ref: points[0].counts for ref, points in rebuilt.items()
    }
    assert live["licenses"].counts["open"] == 1 and live["licenses"].counts["not_assessed"] == 1
    assert live["licenses"].counts["unrecognised"] == 1
    assert live[text_only.ref].total == 3  # Picture is no text model
    # A leaderboard takes its groups' counts from today's shares: the same as counting the
    # assessments of the models it lists.
    for dimension in Dimension.objects.filter(is_active=True):
        board = {group.grade: group.count for group in dimension_leaderboard(dimension)}
        spec = {
            t
            for t in ("text", "image", "text,image")
            if leaderboards.applies(leaderboards.dimension_spec(dimension), t.split(","))
        }
        listed = AIModel.objects.public().filter(types__in=spec)
        counted = leaderboards.grade_counts(dimension, listed)
        assert board == {grade: n for grade, n in counted.items() if grade in board}
        assert sum(board.values()) == sum(counted.values()) == live[dimension.ref].total


def test_a_leaderboard_lists_the_first_models_of_each_grade_and_links_the_rest(client, make_ai_model, registry):
    from curation.public import leaderboards

    for name in ("Ada", "Bea", "Cid"):
        make_ai_model(name, grades={"licenses": "open"})
    make_ai_model("Dee", grades={"licenses": "partial"})
    licences = next(d for d in registry if d.ref == "licenses")
    groups = {g.grade: g for g in leaderboards.dimension_leaderboard(licences, per_grade=2)}
    assert [e.model.name for e in groups["open"].entries] == ["Ada", "Bea"]
    assert (groups["open"].count, groups["open"].more) == (3, 1)
    assert groups["open"].index_query == "grade_licenses=open"
    assert (groups["partial"].count, groups["partial"].more) == (1, 0)
    index = client.get("/models/?grade_licenses=open").content.decode()
    assert all(name in index for name in ("Ada", "Bea", "Cid")) and "Dee" not in index


def test_todays_shares_are_worked_out_once_per_data_version_for_every_process(history, monkeypatch):
    from curation.datachanges import record_data_change
    from curation.public import leaderboards

    calls = []
    real = leaderboards.shares_today
    monkeypatch.setattr(leaderboards, "shares_today", lambda refs, day: calls.append(day) or real(refs, day))
    today = datetime.date.today()
    first = leaderboards._share_history(today)  # the per-process memo is bypassed: as another process
    again = leaderboards._share_history(today)
    assert len(calls) == 1 and first["licenses"][-1] == again["licenses"][-1]
    record_data_change("a reviewed change")
    leaderboards._share_history(today)
    assert len(calls) == 2
