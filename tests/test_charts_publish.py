"""Publishing: hashes decide what is re-rendered, files are content-hashed, failures swap nothing."""

import datetime
import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from curation.charts import publish, published
from curation.charts.catalogue import get_spec
from curation.datachanges import record_data_change
from curation.models import ChartRun, ChartVersion, DataChange
from tests.charts_helpers import build_demo_index


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def demo_index(make_organisation, make_ai_model):
    return build_demo_index(make_organisation, make_ai_model)


SMALL_CATALOGUE = ("academic-share", "academic-share-latest", "regions", "big-tech-share", "concentration")


@pytest.fixture(autouse=True)
def small_catalogue(request, monkeypatch):
    """Publishing logic does not depend on which charts exist; four keep the tests quick.

    The full catalogue is rendered by the tests named *every_chart*.
    """
    if "every_chart" in request.node.name:
        return
    full = publish.catalogue
    monkeypatch.setattr(publish, "catalogue", lambda: {k: v for k, v in full().items() if k in SMALL_CATALOGUE})


def keys():
    return list(publish.catalogue())


def rendered_keys(run):
    return set(run.versions.values_list("key", flat=True))


def test_nothing_pending_means_no_run(db, media):
    assert publish.regenerate_stale() is None
    assert ChartRun.objects.count() == 0


def test_first_run_renders_every_chart_and_consumes_the_outbox(demo_index, media):
    record_data_change("demo data")
    run = publish.regenerate_stale()
    assert run.status == ChartRun.Status.SUCCEEDED
    assert run.changes_claimed == 1 and run.charts_rendered == len(keys())
    assert rendered_keys(run) == set(keys())
    assert not DataChange.objects.filter(processed_at__isnull=True).exists()
    for version in run.versions.all():
        for fmt in published.FORMATS:
            name = version.file_name(fmt)
            content = default_storage.open(name, "rb").read()
            # Content-hashed: the name carries the hash of the bytes.
            assert name == f"charts/{version.key}/{version.key}-{hashlib.sha256(content).hexdigest()[:16]}.{fmt}"
        assert json.loads(default_storage.open(version.json_name).read()) == version.data


def test_unchanged_data_renders_nothing(demo_index, media):
    record_data_change("demo data")
    publish.regenerate_stale()
    record_data_change("an edit readers cannot see")
    run = publish.regenerate_stale()
    assert run.status == ChartRun.Status.SUCCEEDED and run.changes_claimed == 1
    assert run.charts_checked == len(keys()) and run.charts_rendered == 0
    assert ChartVersion.objects.count() == len(keys())


def test_only_charts_whose_numbers_changed_are_rendered(demo_index, media):
    orgs, _ = demo_index
    record_data_change("demo data")
    publish.regenerate_stale()
    before = {key: get_spec(key).compute().numbers() for key in keys()}
    cohere = orgs["cohere"]  # one latest and one full model, non-academic, not Big Tech
    cohere.sector = "academic"
    cohere.save()
    record_data_change("Cohere reclassified")
    run = publish.regenerate_stale()
    changed = {key for key in keys() if get_spec(key).compute().numbers() != before[key]}
    assert "regions" in keys() and "big-tech-share" in keys()  # unchanged charts are in the catalogue
    assert changed == {"academic-share", "academic-share-latest"}
    assert rendered_keys(run) == changed
    newest = published.get_chart("academic-share")
    assert {s["label"]: s["count"] for s in newest.data["slices"]}["Academic"] == 6


def test_render_all_re_renders_unchanged_charts(demo_index, media):
    publish.regenerate(trigger="test", render_all=True)
    run = publish.regenerate(trigger="test", render_all=True)
    assert run.charts_rendered == len(keys())
    # Deterministic drawing: equal data gives the same picture file.
    first, second = ChartVersion.objects.filter(key="regions").order_by("id")
    assert first.svg_name == second.svg_name and first.png_name == second.png_name


def test_a_failing_run_swaps_nothing_and_is_redone(demo_index, media, monkeypatch):
    record_data_change("demo data")
    publish.regenerate_stale()
    old = published.get_chart("academic-share")
    orgs, _ = demo_index
    orgs["meta"].sector = "academic"
    orgs["meta"].save()
    record_data_change("Meta reclassified")

    real_render, calls = publish.render, []

    def render_then_die(data):
        calls.append(data.key)
        if len(calls) == 2:
            raise RuntimeError("worker lost half-way")
        return real_render(data)

    monkeypatch.setattr(publish, "render", render_then_die)
    with pytest.raises(RuntimeError):
        publish.regenerate_stale()
    assert ChartRun.objects.order_by("-id").first().status == ChartRun.Status.FAILED
    # The first chart of the failed run was written, but its version row was never committed.
    assert published.get_chart("academic-share").data == old.data
    assert ChartVersion.objects.count() == len(keys())
    assert DataChange.objects.filter(processed_at__isnull=True).count() == 1

    monkeypatch.setattr(publish, "render", real_render)
    run = publish.regenerate_stale()
    assert run.status == ChartRun.Status.SUCCEEDED and "academic-share" in rendered_keys(run)
    assert published.get_chart("academic-share").data != old.data


def test_store_replaces_a_half_written_file(media):
    content = b"<svg>complete</svg>"
    name = publish.content_name("academic-share", "svg", content)
    default_storage.save(name, ContentFile(b"<svg>comp"))  # what a killed run leaves behind
    assert publish.store(name, content) == name
    assert default_storage.open(name).read() == content
    assert publish.store(name, content) == name  # an identical file is reused


def test_get_chart_gives_the_contract_fields(demo_index, media):
    assert published.get_chart("academic-share") is None  # not generated yet
    assert published.get_chart("no-such-chart") is None
    record_data_change("demo data")
    run = publish.regenerate_stale()
    chart = published.get_chart("academic-share")
    assert chart.key == "academic-share" and chart.title
    assert chart.svg_url.startswith("/charts/academic-share.svg") and chart.png_url.startswith(
        "/charts/academic-share.png"
    )
    assert chart.csv_url.startswith("/charts/academic-share.csv") and chart.json_url.startswith(
        "/charts/academic-share.json"
    )
    assert chart.data["data_version"] == run.data_version == DataChange.objects.latest("id").id
    assert chart.generated_at <= timezone.now()
    assert "Academic" in chart.alt_text


def test_retention_prunes_old_versions_but_never_the_newest(demo_index, media, settings):
    settings.OSAI_CHART_RETENTION_DAYS = 7
    publish.regenerate(trigger="test", render_all=True)
    old_versions = list(ChartVersion.objects.all())
    ChartVersion.objects.update(generated_at=timezone.now() - datetime.timedelta(days=30))
    orgs, _ = demo_index
    orgs["sap"].sector = "academic"
    orgs["sap"].save()
    record_data_change("SAP reclassified")
    run = publish.regenerate_stale()
    replaced = rendered_keys(run)
    assert replaced  # academic-share at least
    versions_pruned, files_pruned = publish.prune_old_versions()
    assert versions_pruned == len(replaced)
    remaining = set(ChartVersion.objects.values_list("key", flat=True))
    assert remaining == set(keys())  # every chart still has its newest version
    for version in old_versions:
        if version.key in replaced:
            assert not ChartVersion.objects.filter(pk=version.pk).exists()
            assert not default_storage.exists(version.png_name)
        else:
            assert default_storage.exists(version.png_name)
    assert files_pruned >= len(replaced) * 2  # at least the pictures (csv may be shared)


def test_nightly_check_re_renders_a_chart_whose_file_went_missing(demo_index, media):
    record_data_change("demo data")
    publish.regenerate_stale()
    version = ChartVersion.objects.get(key="regions")
    default_storage.delete(version.png_name)
    result = publish.nightly_check()
    assert result["rendered"] == 1
    assert default_storage.exists(ChartVersion.objects.filter(key="regions").order_by("-id").first().png_name)


def test_interrupted_runs_are_marked(db):
    run = ChartRun.objects.create(trigger="changes")
    ChartRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(hours=2))
    assert publish.mark_interrupted_runs() == 1
    run.refresh_from_db()
    assert run.status == ChartRun.Status.INTERRUPTED


def test_the_next_run_closes_a_dead_run_and_deletes_its_files(demo_index, media):
    """Before: a run killed mid-way stayed "running" (until a nightly check an hour later) and its
    half-written files stayed until the retention period ended."""
    record_data_change("demo data")
    first = publish.regenerate_stale()
    dead = ChartRun.objects.create(trigger="changes")  # what a killed worker leaves: a running row ...
    stray = [f"charts/regions/regions-{'0' * 16}.svg", "charts/concentration/concentration-half.png"]
    for name in stray:  # ... and files no version refers to
        default_storage.save(name, ContentFile(b"<svg>half"))
    files_in_use = {v.file_name(fmt) for v in ChartVersion.objects.all() for fmt in published.FORMATS}

    record_data_change("a change after the crash")
    second = publish.regenerate_stale()

    dead.refresh_from_db()
    assert dead.status == ChartRun.Status.INTERRUPTED and dead.finished_at
    assert second.status == ChartRun.Status.SUCCEEDED and first.status == ChartRun.Status.SUCCEEDED
    assert not ChartRun.objects.filter(status=ChartRun.Status.RUNNING).exists()
    assert not any(default_storage.exists(name) for name in stray)
    assert all(default_storage.exists(name) for name in files_in_use)
