"""Charts over the API: the published chart versions, with absolute file links."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from curation.charts import publish
from curation.charts.published import get_chart
from curation.datachanges import record_data_change

pytestmark = pytest.mark.django_db

RENDERED = ("academic-share", "regions")


@pytest.fixture(autouse=True)
def fresh_cache(clean_api_cache):
    return clean_api_cache


@pytest.fixture
def published(settings, tmp_path, monkeypatch, make_organisation, make_ai_model):
    settings.MEDIA_ROOT = tmp_path / "media"
    full = publish.catalogue
    # Two charts keep rendering quick; the API lists whatever has been published.
    monkeypatch.setattr(publish, "catalogue", lambda: {k: v for k, v in full().items() if k in RENDERED})
    make_ai_model("Academic", organisation=make_organisation("Uni", sector="academic", country="NL"))
    make_ai_model("Company", organisation=make_organisation("Corp", country="US"))
    record_data_change("charts test")
    publish.regenerate(trigger="test")
    return RENDERED


def test_chart_list_and_detail_give_metadata_links_and_numbers(published):
    api = APIClient()

    listing = api.get("/api/v1/charts/")

    assert listing.status_code == 200
    assert sorted(c["key"] for c in listing.json()) == sorted(published)
    chart = api.get("/api/v1/charts/academic-share/").json()
    expected = get_chart("academic-share")
    assert chart["title"] == expected.title
    assert chart["alt_text"] == expected.alt_text
    assert chart["data"] == expected.data
    assert chart["table"]["header"] == [str(h) for h in expected.table_header]
    assert len(chart["table"]["rows"]) == len(expected.table_rows) > 0
    assert chart["svg_url"] == "http://testserver" + expected.svg_url
    svg = api.get(expected.svg_url)
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")


def test_unknown_or_unpublished_charts_are_not_found(published):
    api = APIClient()

    missing = api.get("/api/v1/charts/no-such-chart/")

    assert missing.status_code == 404
    assert "/api/v1/charts/" in missing.json()["message"]
    assert api.get("/api/v1/charts/big-tech-share/").status_code == 404  # in the catalogue, not rendered here


def test_a_new_rendering_changes_the_etag_without_a_data_change(published):
    api = APIClient()
    first = api.get("/api/v1/charts/")

    publish.regenerate(trigger="test", render_all=True, even_without_changes=True)
    after = api.get("/api/v1/charts/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
