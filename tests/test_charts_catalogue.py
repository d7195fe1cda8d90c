"""Each chart's numbers against an independent recount from the database."""

import pytest

from curation.charts.catalogue import catalogue, chart_keys, get_spec
from curation.models import AIModel, Organisation
from tests.charts_helpers import build_demo_index, expected_pie, expected_series, pie_counts, series_values

PIE_KEYS = [k for k in chart_keys() if get_spec(k).kind == "pie"]
# The adoption charts (adoption-*) are recounted in test_adoption_charts, on Hub readings.
SERIES_KEYS = [k for k in chart_keys() if get_spec(k).kind != "pie" and not k.startswith("adoption-")]


@pytest.fixture
def demo_index(make_organisation, make_ai_model):
    return build_demo_index(make_organisation, make_ai_model)


def test_catalogue_has_every_chart_of_the_issue():
    keys = set(chart_keys())
    for base in ("academic-share", "big-tech-share", "national-origins", "regions"):
        assert {base, f"{base}-latest"} <= keys
    assert {"openness-by-type", "releases-by-region", "open-weights-vs-open-source", "concentration"} <= keys


@pytest.mark.parametrize("key", PIE_KEYS)
def test_pie_counts_match_an_independent_recount(demo_index, key):
    data = get_spec(key).compute()
    expected = expected_pie(key)
    assert pie_counts(data) == expected
    assert data.total == sum(expected.values())
    for s in data.slices:
        assert s.percent == round(100 * s.count / data.total, 1)


@pytest.mark.parametrize("key", SERIES_KEYS)
def test_series_match_an_independent_recount(demo_index, key):
    assert series_values(get_spec(key).compute()) == expected_series(key)


def test_readers_never_count_drafts(demo_index):
    orgs, _hidden = demo_index
    data = get_spec("academic-share").compute()
    assert data.total == AIModel.objects.public().count()
    draft_models = AIModel.objects.filter(organisation=orgs["draft"]).count() + 1  # + the hidden model
    assert data.total == AIModel.objects.count() - draft_models


def test_latest_variant_counts_only_latest_models(demo_index):
    data = get_spec("regions-latest").compute()
    assert data.total == AIModel.objects.public().filter(performance_class="latest").count()
    assert data.subset == "latest" and get_spec("regions").compute().subset == "all"


def test_model_without_organisation_is_not_classified(demo_index):
    assert pie_counts(get_spec("academic-share").compute())["Not classified"] == 2  # orphan + blank sector
    assert pie_counts(get_spec("regions").compute())["Not classified"] == 1


def test_tigers_are_a_slice_of_their_own_and_the_note_adds_up_big_tech(demo_index):
    data = get_spec("big-tech-share").compute()
    counts = pie_counts(data)
    assert counts == expected_pie("big-tech-share")
    assert [s.label for s in data.slices][:4] == [
        "American Big Tech",
        "Chinese Big Tech",
        "Chinese AI Tigers",
        "European Big Tech",
    ]
    assert (counts["Chinese Big Tech"], counts["Chinese AI Tigers"]) == (2, 1)
    # Four Meta, two Alibaba, one Zhipu and one SAP model of the 18 that readers see.
    assert "Big Tech with the Chinese AI Tigers: 8 of 18 (44.4%)." in data.note
    assert data.note.startswith("One model, one vote")


def test_national_origins_groups_the_long_tail_as_other(demo_index, settings):
    settings.OSAI_CHARTS_TOP_ORIGINS = 2
    data = get_spec("national-origins").compute()
    counts = pie_counts(data)
    assert counts == expected_pie("national-origins", top_origins=2)
    assert list(counts)[:2] == ["United States", "China"]  # 4 and 3 models, the two largest
    assert counts["Other"] == 7  # NL 2, CA 2, DE 1, AE 1, JP 1 (the draft FR model is hidden)
    assert counts["International"] == 1 and counts["Undisclosed"] == 1


def test_regions_separate_china_and_group_other_regions(demo_index):
    counts = pie_counts(get_spec("regions").compute())
    assert counts["China"] == 3
    assert counts["Other regions"] == 2  # United Arab Emirates and Japan
    assert counts["North America"] == 6  # four Meta and two Cohere models


def test_counts_follow_a_reclassification(demo_index):
    orgs, _ = demo_index
    before = pie_counts(get_spec("academic-share").compute())
    organisation = orgs["meta"]
    organisation.sector = "academic"
    organisation.save()
    after = pie_counts(get_spec("academic-share").compute())
    assert after["Academic"] == before["Academic"] + 4
    assert after == expected_pie("academic-share")


def test_empty_index_gives_empty_charts(db):
    for spec in catalogue().values():
        data = spec.compute()
        assert data.total == 0
        assert "no models" in data.alt_text()


def test_alt_text_states_the_numbers(demo_index):
    data = get_spec("academic-share").compute()
    for s in data.slices:
        assert f"{s.label} {s.count} (" in data.alt_text()
    series = get_spec("releases-by-region").compute()
    assert "2024: " in series.alt_text() and "Europe" in series.alt_text()


def test_json_document_has_exactly_the_published_keys(demo_index):
    pie = get_spec("academic-share").compute().document(generated_at="t", data_version=3)
    assert list(pie) == ["key", "title", "subset", "total", "slices", "generated_at", "data_version"]
    assert set(pie["slices"][0]) == {"label", "count", "percent"}
    series = get_spec("concentration").compute().document(generated_at="t", data_version=3)
    assert list(series) == ["key", "title", "subset", "total", "series", "generated_at", "data_version"]


def test_organisation_count_is_unchanged_by_charts(demo_index):
    # Computing charts reads only.
    before = (AIModel.objects.count(), Organisation.objects.count())
    for spec in catalogue().values():
        spec.compute()
    assert (AIModel.objects.count(), Organisation.objects.count()) == before


def test_open_weights_chart_follows_the_registry(demo_index):
    from curation.models import Dimension

    assert series_values(get_spec("open-weights-vs-open-source").compute())  # some models have open weights
    Dimension.objects.filter(ref="weights_endmodel").update(is_active=False)  # dropped from the registry
    data = get_spec("open-weights-vs-open-source").compute()
    assert data.total > 0 and series_values(data) == {}
