"""Stable chart URLs, the /charts/ page, the chart_figure tag and the regenerate_charts command."""

import json

import pytest
from django.core.management import call_command
from django.template import Context, Template

from curation.charts import palette, publish
from curation.charts.catalogue import chart_keys
from curation.charts.published import get_chart
from curation.datachanges import record_data_change
from curation.models import ChartRun, ChartVersion, DataChange
from tests.charts_helpers import build_demo_index, expected_pie


@pytest.fixture(autouse=True)
def small_catalogue(request, monkeypatch):
    """Three charts keep these tests quick; tests named *every_chart* use the whole catalogue."""
    if "every_chart" in request.node.name:
        return
    full = publish.catalogue
    monkeypatch.setattr(
        publish,
        "catalogue",
        lambda: {k: v for k, v in full().items() if k in ("academic-share", "regions", "concentration")},
    )


@pytest.fixture
def published(settings, tmp_path, make_organisation, make_ai_model):
    settings.MEDIA_ROOT = tmp_path / "media"
    orgs, _ = build_demo_index(make_organisation, make_ai_model)
    record_data_change("demo data")
    publish.regenerate_stale()
    return orgs


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_stable_json_url_serves_the_newest_version(client, published):
    response = client.get("/charts/academic-share.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    doc = json.loads(body(response))
    assert {s["label"]: s["count"] for s in doc["slices"]} == expected_pie("academic-share")
    assert "max-age=60" in response["Cache-Control"]

    published["meta"].sector = "academic"
    published["meta"].save()
    record_data_change("Meta reclassified")
    publish.regenerate_stale()
    newer = json.loads(body(client.get("/charts/academic-share.json")))
    assert newer["generated_at"] > doc["generated_at"]
    assert {s["label"]: s["count"] for s in newer["slices"]} == expected_pie("academic-share")


@pytest.mark.parametrize(
    "fmt,content_type,magic",
    [
        ("svg", "image/svg+xml", b"<?xml"),
        ("png", "image/png", b"\x89PNG"),
        ("csv", "text/csv; charset=utf-8", b"Label,"),
    ],
)
def test_every_format_is_served(client, published, fmt, content_type, magic):
    response = client.get(f"/charts/regions.{fmt}")
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert body(response).startswith(magic)


def test_versioned_url_is_cached_for_long(client, published):
    chart = get_chart("regions")
    response = client.get(chart.png_url)
    assert "immutable" in response["Cache-Control"] and response["ETag"]


def test_unknown_key_or_format_is_404(client, published):
    assert client.get("/charts/no-such-chart.json").status_code == 404
    assert client.get("/charts/regions.gif").status_code == 404


def test_chart_not_generated_yet_is_404(client, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert client.get("/charts/regions.svg").status_code == 404
    page = client.get("/charts/")
    assert page.status_code == 200 and b"Not generated yet." in page.content


def test_charts_page_shows_every_chart_with_its_table(client, published):
    response = client.get("/charts/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script" not in html  # works without JavaScript
    title = html[html.index("<title>") : html.index("</title>")]
    assert title == "<title>Charts · European Open Source AI Index"
    for key in chart_keys():
        assert f'id="chart-{key}"' in html
        assert f"/charts/{key}.csv" in html
    assert html.count('<table class="chart-data">') == len(chart_keys())
    # Each row of a pie's table beside the colour of its slice, as in every chart.
    for label, count in expected_pie("regions").items():
        swatch = f'<span class="swatch" style="background: {palette.colour_for(label)}" aria-hidden="true"></span>'
        assert f'<th scope="row">{swatch}{label}</th><td>{count}</td>' in html
    # A series chart's columns carry their series' colours; the timeline's long table folds away.
    assert (
        f'<th scope="col"><span class="swatch" style="background: {palette.colour_for("Text")}" aria-hidden="true"></span>Text</th>'
        in html
    )
    timeline = html[html.index('id="chart-heading-openness-timeline"') :]
    timeline = timeline[: timeline.index("</section>")]
    rows = timeline.count("<tr>") - 1
    assert ('<details class="chart-data-more">' in timeline) == (rows > 30)


def test_chart_figure_tag(published):
    html = Template('{% load charts %}{% chart_figure "academic-share" %}').render(Context())
    chart = get_chart("academic-share")
    assert "<figure" in html and f'alt="{chart.alt_text}"' in html.replace("&#x27;", "'")
    assert chart.csv_url in html and "<figcaption>" in html


def test_a_chart_in_a_post_leads_to_its_embed_code(client, published):
    """A figure in a post links to the chart on the charts page, whose section holds the code to
    embed it (the post is rendered without a request, so it cannot write the full address)."""
    html = Template('{% load charts %}{% chart_figure "academic-share" %}').render(Context())
    assert 'href="/charts/#chart-academic-share">all charts, and the code to embed this one' in html
    page = client.get("/charts/").content.decode()
    section = page[page.index('id="chart-academic-share"') :]
    section = section[: section.index("</section>")]
    assert 'class="embed-snippet"' in section and "/embed/chart/academic-share/" in section


def test_chart_figure_tag_with_unknown_key_is_a_placeholder(db):
    html = Template('{% load charts %}{% chart_figure "no-such-chart" %}').render(Context())
    assert "<figure" not in html and "not available" in html


def test_regenerate_charts_command_sync_renders_every_chart(db, settings, tmp_path, make_ai_model, capsys):
    settings.MEDIA_ROOT = tmp_path
    make_ai_model("Only model")
    record_data_change("a model")
    call_command("regenerate_charts", "--sync", verbosity=0)
    run = ChartRun.objects.get()
    assert run.charts_rendered == len(chart_keys()) and run.changes_claimed == 1
    assert not DataChange.objects.filter(processed_at__isnull=True).exists()
    call_command("regenerate_charts", "--sync", verbosity=0)
    assert ChartRun.objects.order_by("-id").first().charts_rendered == 0
    call_command("regenerate_charts", "--sync", "--all", verbosity=0)
    assert ChartRun.objects.order_by("-id").first().charts_rendered == len(chart_keys())
    assert "rendered" in capsys.readouterr().out


def test_regenerate_charts_command_queues_a_task_in_eager_mode_for_every_chart(
    db, settings, tmp_path, make_ai_model, monkeypatch
):
    from osai_index.celery import app

    # Without a broker (no REDIS_URL) the queued task runs at once, through the same code.
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.MEDIA_ROOT = tmp_path
    make_ai_model("Only model")
    call_command("regenerate_charts")
    assert sorted(set(ChartVersion.objects.values_list("key", flat=True))) == sorted(chart_keys())
    assert ChartRun.objects.get().status == ChartRun.Status.SUCCEEDED
    assert get_chart("academic-share").data["total"] == 1


def test_admin_lists_runs_and_versions_read_only(client, published, django_user_model):
    admin_user = django_user_model.objects.create_superuser("chartadmin", "a@example.org", "pw")
    client.force_login(admin_user)
    runs = client.get("/admin/curation/chartrun/")
    assert runs.status_code == 200 and b"succeeded" in runs.content.lower()
    versions = client.get("/admin/curation/chartversion/?key=regions")
    assert versions.status_code == 200 and b"/charts/regions.svg" in versions.content
    version = ChartVersion.objects.filter(key="regions").first()
    detail = client.get(f"/admin/curation/chartversion/{version.pk}/change/")
    assert detail.status_code == 200 and b"Europe" in detail.content
    assert client.get("/admin/curation/chartrun/add/").status_code == 403


def test_a_missing_file_is_404_not_an_error(client, published):
    from django.core.files.storage import default_storage

    default_storage.delete(ChartVersion.objects.filter(key="regions").latest("id").png_name)
    assert client.get("/charts/regions.png").status_code == 404
    assert client.get("/charts/regions.svg").status_code == 200
