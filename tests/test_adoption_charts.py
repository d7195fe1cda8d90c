"""The adoption charts against an independent computation on fixture data."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from curation.adoption.figures import adoption_of, herfindahl_hirschman, top_share
from curation.adoption.readings import store_readings
from curation.charts.catalogue import get_spec
from curation.models import AIModel, RepoAdoption
from tests.adoption_fixtures import READINGS

D = datetime.date


def _expected_monthly() -> dict[str, dict[str, int]]:
    """Independently: per public model, per month, the downloads of the last ok reading of each of
    its own repositories (m5 claims m1's repository: counted for m1 only)."""
    own = {"M1": ["a/one", "a/two"], "M2": ["a/three"], "M3": ["c/one"], "M4": ["e/one"]}
    last: dict[tuple[str, str], tuple] = {}
    for repo, day, status, n in READINGS:
        if status != "ok":
            continue
        key = (repo, day.strftime("%Y-%m"))
        if key not in last or last[key][0] < day:
            last[key] = (day, n)
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name, repos in own.items():
        for (repo, month), (_day, n) in last.items():
            if repo in repos:
                out[name][month] += n
    return out


def _values(data) -> dict[str, dict[str, float]]:
    return {s.label: {p.x: p.value for p in s.points} for s in data.series}


def test_model_figures_and_coverage(adoption_index):
    adoption = adoption_of(AIModel.objects.public())
    by_name = {AIModel.objects.get(pk=pk).name: f.monthly for pk, f in adoption.by_model.items()}
    assert by_name == {k: dict(v) for k, v in _expected_monthly().items()}
    assert (adoption.models, adoption.with_repositories, adoption.covered) == (7, 6, 4)


def test_share_of_downloads_by_big_tech_bloc(adoption_index):
    monthly = _expected_monthly()
    bloc = {"M1": "American Big Tech", "M2": "American Big Tech", "M3": "Chinese AI Tigers", "M4": "Not Big Tech"}
    expected: dict[str, dict[str, float]] = defaultdict(dict)
    for month in ("2025-06", "2025-07"):
        total = sum(monthly[m].get(month, 0) for m in monthly)
        for label in set(bloc.values()):
            part = sum(monthly[m].get(month, 0) for m in monthly if bloc[m] == label)
            expected[label][month] = round(100 * part / total, 1)
    data = get_spec("adoption-big-tech").compute()
    assert _values(data) == expected
    # June: American 200 of 700, Tigers 400, Not Big Tech 100; July: 500, 600, 80 of 1180.
    assert expected["Chinese AI Tigers"] == {"2025-06": 57.1, "2025-07": 50.8}
    assert data.total == 4
    assert "Coverage: 4 of 7 models have Hugging Face adoption data (6 have repositories)." in data.note
    assert data.document(generated_at="t", data_version=1)["coverage"] == {
        "models": 7,
        "with_repositories": 6,
        "with_adoption_data": 4,
        "text": "Coverage: 4 of 7 models have Hugging Face adoption data (6 have repositories).",
    }
    assert data.alt_text().endswith("Coverage: 4 of 7 models have Hugging Face adoption data (6 have repositories).")
    assert data.csv_text().splitlines()[0] == "Month,American Big Tech,Chinese AI Tigers,Not Big Tech"
    assert data.alt_text().startswith("Share of Hugging Face downloads by Big Tech bloc, per month, 4 models.")


def test_share_of_downloads_by_region(adoption_index):
    data = get_spec("adoption-regions").compute()
    assert _values(data) == {
        "Europe": {"2025-06": round(100 * 100 / 700, 1), "2025-07": round(100 * 80 / 1180, 1)},
        "North America": {"2025-06": round(100 * 200 / 700, 1), "2025-07": round(100 * 500 / 1180, 1)},
        "China": {"2025-06": round(100 * 400 / 700, 1), "2025-07": round(100 * 600 / 1180, 1)},
    }


def test_concentration_of_downloads_by_organisation(adoption_index):
    monthly = _expected_monthly()
    org = {"M1": "Am", "M2": "Am", "M3": "Tiger", "M4": "Eu"}
    expected_top, expected_hhi = {}, {}
    for month in ("2025-06", "2025-07"):
        sizes: dict[str, int] = defaultdict(int)
        for m, values in monthly.items():
            sizes[org[m]] += values.get(month, 0)
        total = sum(sizes.values())
        shares = [100 * s / total for s in sizes.values()]
        expected_hhi[month] = round(sum(x * x for x in shares), 1)
        expected_top[month] = round(sum(sorted(shares, reverse=True)[:5]), 1)
    values = _values(get_spec("adoption-concentration").compute())
    assert values["Herfindahl-Hirschman index (0–10,000)"] == expected_hhi
    assert values["Share of the five largest organisations (%)"] == expected_top == {"2025-06": 100.0, "2025-07": 100.0}
    assert expected_hhi["2025-06"] == round((200 / 7) ** 2 + (400 / 7) ** 2 + (100 / 7) ** 2, 1)


def test_herfindahl_hirschman_and_top_share_by_hand():
    assert herfindahl_hirschman([1]) == 10_000
    assert herfindahl_hirschman([1, 1, 1, 1]) == pytest.approx(2_500)
    assert herfindahl_hirschman([]) == 0.0
    assert top_share([5, 1, 1, 1, 1, 1], n=1) == pytest.approx(50.0)
    assert top_share([1] * 10) == pytest.approx(50.0)


def test_downloads_of_open_weights_and_open_source_models(adoption_index):
    values = _values(get_spec("adoption-open-weights-vs-open-source").compute())
    assert values == {
        "Open weights; data, code or licence not open": {"2025-06": 400, "2025-07": 300 + 600},
        "Open weights, data, code and licence": {"2025-06": 150 + 50, "2025-07": 200},
    }


def test_without_adoption_data_the_charts_say_so(make_ai_model):
    make_ai_model("Lonely", link="https://huggingface.co/x/y")
    data = get_spec("adoption-big-tech").compute()
    assert data.series == () and data.total == 0
    assert "Coverage: 0 of 1 models" in data.note
    assert "no models to count. Coverage: 0 of 1 models" in data.alt_text()


def test_a_fetch_regenerates_the_published_charts_with_their_coverage(adoption_index, settings):
    """The fetch's data change goes through the one chart pipeline: files, JSON, page note."""
    from curation.adoption.fake_hub import FakeHub
    from curation.adoption.fetch import fetch_adoption
    from curation.charts import publish, published

    publish.regenerate(trigger="test", render_all=True)
    before = published.get_chart("adoption-big-tech")
    assert "Coverage: 4 of 7" in before.note
    with FakeHub({"e/one": {"downloads": 900, "likes": 1}, "e/gone": {"downloads": 10, "likes": 0}}) as hub:
        settings.HF_ENDPOINT = hub.url
        fetch_adoption(day=datetime.date(2025, 8, 31), models=AIModel.objects.filter(name__in=["M4", "M7"]))
    publish.regenerate_stale()
    chart = published.get_chart("adoption-big-tech")
    assert chart.data_hash != before.data_hash
    assert "Coverage: 5 of 7" in chart.note and chart.data["coverage"]["with_adoption_data"] == 5
    august = {s["label"]: p["value"] for s in chart.data["series"] for p in s["points"] if p["x"] == "2025-08"}
    assert august == {"American Big Tech": 0.0, "Chinese AI Tigers": 0.0, "Not Big Tech": 100.0}
    assert "Coverage: 5 of 7" in chart.alt_text


def test_only_each_months_last_ok_reading_is_marked_and_it_follows_new_readings(adoption_index):
    marked = set(RepoAdoption.objects.filter(last_of_month=True).values_list("repo_id", "day"))
    expected = {}
    for repo, day, status, _n in READINGS:
        key = (repo, day.year, day.month)
        if status == "ok" and (key not in expected or expected[key] < day):
            expected[key] = day
    assert marked == {(repo, day) for (repo, _y, _m), day in expected.items()}
    assert ("e/one", D(2025, 7, 20)) in marked  # the later reading of the month failed
    store_readings(
        [
            RepoAdoption(repo_id="c/one", day=D(2025, 7, 20), status="ok", downloads=1, fetched_at=timezone.now()),
            RepoAdoption(repo_id="e/one", day=D(2025, 7, 31), status="ok", downloads=90, fetched_at=timezone.now()),
        ]
    )
    marked = set(RepoAdoption.objects.filter(last_of_month=True, day__month=7).values_list("repo_id", "day"))
    assert ("c/one", D(2025, 7, 31)) in marked and ("c/one", D(2025, 7, 20)) not in marked
    assert ("e/one", D(2025, 7, 31)) in marked and ("e/one", D(2025, 7, 20)) not in marked
