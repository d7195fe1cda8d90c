"""Reuse elsewhere: a model's badge (SVG), the embeddable chart and index pages, their framing
rules and the copy-paste code on the charts page and the index."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction

from curation.charts import publish
from curation.datachanges import record_data_change
from curation.models import AIModel
from curation.public import badges

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def models(make_ai_model, registry):
    refs = [d.ref for d in registry]
    return {
        "open": make_ai_model("Fully Open <LM> & Co", grades=dict.fromkeys(refs, "open")),
        "partial": make_ai_model("Halfway", grades=dict.fromkeys(refs, "partial")),
        "closed": make_ai_model("Shut", grades={}),
    }


@pytest.fixture
def one_chart(settings, tmp_path, monkeypatch, make_ai_model):
    settings.MEDIA_ROOT = tmp_path / "media"
    full = publish.catalogue
    monkeypatch.setattr(publish, "catalogue", lambda: {k: v for k, v in full().items() if k == "academic-share"})
    make_ai_model("Charted")
    record_data_change("test")
    publish.regenerate_stale()
    return "academic-share"


def _parse_badge(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    return ET.fromstring(response.content)


def test_badge_is_valid_svg_with_name_score_and_grade_colours(client, models):
    root = _parse_badge(client.get(f"/models/{models['open'].slug}/badge.svg"))

    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Fully Open <LM> & Co: 100% open (European Open Source AI Index)"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Fully Open <LM> & Co", "100% open"]
    # The stylesheet's grade colours, the one place they are written.
    css = badges.STYLESHEET.read_text()
    open_bg = re.search(r"--open-bg:\s*(#[0-9a-f]{6})", css).group(1)
    open_ink = re.search(r"--open-ink:\s*(#[0-9a-f]{6})", css).group(1)
    rects = [r.get("fill") for r in root.iter(f"{SVG}rect")]
    assert rects[1] == open_bg
    assert [t.get("fill") for t in root.iter(f"{SVG}text")][1] == open_ink
    assert int(root.get("width")) == sum(int(r.get("width")) for r in root.iter(f"{SVG}rect"))


@pytest.mark.parametrize("which, percent, grade", [("partial", 50, "partial"), ("closed", 0, "closed")])
def test_badge_colour_follows_the_grade_nearest_the_score(client, models, which, percent, grade):
    root = _parse_badge(client.get(f"/models/{models[which].slug}/badge.svg"))

    assert [t.text for t in root.iter(f"{SVG}text")][1] == f"{percent}% open"
    assert [r.get("fill") for r in root.iter(f"{SVG}rect")][1] == badges.grade_colours(grade)[0]


def test_badge_shortens_a_long_name_and_stays_valid():
    svg = badges.badge_svg("A" * 60 + " & <b>", 0.8)
    root = ET.fromstring(svg)
    label = next(root.iter(f"{SVG}text")).text
    assert len(label) == badges.MAX_NAME_CHARS and label.endswith("…")
    assert root.find(f"{SVG}title").text.startswith("A" * 60 + " & <b>: 80% open")


def test_badge_of_an_unknown_model_is_404(client, models):
    assert client.get("/models/no-such-model/badge.svg").status_code == 404


def test_badge_is_cached_per_data_version(client, models, django_capture_on_commit_callbacks):
    from curation.public.caching import retire_cached_pages

    retire_cached_pages()  # a shared Redis may hold pages of earlier tests at the same data version
    model = models["partial"]
    url = f"/models/{model.slug}/badge.svg"
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        AIModel.objects.filter(pk=model.pk).update(total_score=0.8)
        record_data_change("a grade changed")
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert [t.text for t in _parse_badge(response).iter(f"{SVG}text")][1] == "80% open"


def test_badge_may_be_shown_by_other_sites(client, models):
    response = client.get(f"/models/{models['open'].slug}/badge.svg")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "default-src 'none'" in response["Content-Security-Policy"]


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


@pytest.mark.parametrize("cached", [False, True])
def test_embed_pages_may_be_framed_and_nothing_else(client, models, one_chart, cached):
    from curation.public.caching import retire_cached_pages

    retire_cached_pages()
    for _ in range(2 if cached else 1):
        chart = client.get(f"/embed/chart/{one_chart}/")
        index = client.get("/embed/index/")
    if cached:
        assert chart["X-Page-Cache"] == "hit" and index["X-Page-Cache"] == "hit"
    for response in (chart, index):
        assert response.status_code == 200
        assert _frame_ancestors(response) == "frame-ancestors *"
        assert "X-Frame-Options" not in response
    for path in ("/", "/models/", f"/models/{models['open'].slug}/", "/charts/"):
        response = client.get(path)
        assert _frame_ancestors(response) == "frame-ancestors 'none'", path
        assert response["X-Frame-Options"] == "DENY", path


def test_embed_frame_ancestors_follow_the_setting(client, settings, one_chart):
    settings.OSAI_EMBED_FRAME_ANCESTORS = ["https://example.org", "https://*.example.net"]
    response = client.get(f"/embed/chart/{one_chart}/")
    assert _frame_ancestors(response) == "frame-ancestors https://example.org https://*.example.net"


def test_embed_chart_has_no_site_chrome(client, one_chart):
    page = client.get(f"/embed/chart/{one_chart}/").content.decode()

    assert 'class="site-header"' not in page and 'class="site-footer"' not in page
    assert '<img src="/charts/academic-share.svg?v=' in page
    assert "CC-BY 4.0" in page and '<base target="_blank">' in page
    # The picture draws its own title: the page's heading is there for screen readers only.
    assert '<h1 class="visually-hidden">' in page and 'class="embed-title"' not in page


def test_embed_chart_of_an_unknown_key_is_404(client, one_chart):
    assert client.get("/embed/chart/no-such-chart/").status_code == 404


def test_embed_index_takes_the_index_filters(client, models):
    everything = client.get("/embed/index/").content.decode()
    assert all(html.escape(m.name) in everything for m in models.values())
    assert "3 models, most open first" in everything

    narrowed = client.get("/embed/index/", {"q": "Halfway"}).content.decode()
    assert "Halfway" in narrowed and "Shut" not in narrowed and "1 model, most open first" in narrowed
    assert 'href="http://testserver/models/?q=Halfway"' in narrowed
    assert 'class="site-header"' not in narrowed


def test_embed_index_of_the_whole_index_takes_the_remembered_total(client, models):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get("/embed/index/")  # counts the public index once for this data version
    with CaptureQueriesContext(connection) as captured:
        # Another address (an ordering narrows nothing), so the page cache does not answer it.
        page = client.get("/embed/index/", {"ordering": "-total"}).content.decode()
    assert "3 models, most open first" in page
    assert not [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]


def test_embed_index_names_a_bad_filter(client, models):
    response = client.get("/embed/index/", {"released_from": "yesterday"})
    assert response.status_code == 400
    assert "released_from" in response.content.decode()


def _snippets(page: str) -> list[str]:
    return [html.unescape(code) for code in re.findall(r"<pre><code>(&lt;iframe.*?)</code></pre>", page, re.S)]


def test_charts_page_gives_an_iframe_code_per_chart(client, one_chart):
    snippets = _snippets(client.get("/charts/").content.decode())

    assert len(snippets) == 1
    assert snippets[0].startswith(f'<iframe src="http://testserver/embed/chart/{one_chart}/" title="')


def test_index_gives_an_iframe_code_with_its_filters(client, models):
    snippets = _snippets(client.get("/models/", {"q": "Halfway", "page": "1", "view": "grid"}).content.decode())

    assert snippets == [
        '<iframe src="http://testserver/embed/index/?q=Halfway" '
        'title="Openness of generative AI models (European Open Source AI Index)" '
        'width="100%" height="600" style="border: 0" loading="lazy"></iframe>'
    ]


@pytest.mark.parametrize(
    "score, grade",
    [
        (0, "closed"),
        (0.249, "closed"),
        (0.25, "partial"),
        (0.5, "partial"),
        (0.749, "partial"),
        (0.75, "open"),
        (1, "open"),
        (None, "closed"),
    ],
)
def test_score_grade_is_the_nearest_grade(score, grade):
    from curation.scoring import score_grade

    assert score_grade(score) == grade


def test_badge_of_a_withdrawn_model_says_so(client, models):
    from django.utils import timezone

    model = models["open"]
    AIModel.objects.filter(pk=model.pk).update(is_public=False, removed_upstream_at=timezone.now())
    root = _parse_badge(client.get(f"/models/{model.slug}/badge.svg"))

    assert [t.text for t in root.iter(f"{SVG}text")][1] == "withdrawn"
    assert [r.get("fill") for r in root.iter(f"{SVG}rect")][1] == badges.site_colours()["na-bg"]
