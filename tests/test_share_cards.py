"""Link previews: every public page names its title, description and picture for Open Graph and
Twitter; a model's picture is its own card (name, organisation, score, grade bar), drawn once
per change of what it shows and served at a stable address; a post's is its first chart."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from PIL import Image

from curation.charts.published import get_chart
from curation.models import AIModel, Assessment, Post, PostKind, PostStatus
from curation.public import share_cards
from curation.scoring import as_percent
from tests.conftest import forget_cached_pages

pytestmark = pytest.mark.django_db


def _meta(html: str) -> dict[str, str]:
    found = {}
    for tag in re.findall(r"<meta\b[^>]*>", html):
        name = re.search(r'\b(?:property|name)="([^"]+)"', tag)
        content = re.search(r'\bcontent="([^"]*)"', tag)
        if name and content:
            found[name.group(1)] = content.group(1).replace("&amp;", "&")
    return found


@pytest.fixture
def site(registry, make_ai_model, make_organisation):
    org = make_organisation("Ai2", country="US")
    olmo = make_ai_model("OLMo", organisation=org, grades={"weights_endmodel": "open", "licenses": "partial"})
    make_ai_model("Other model", organisation=org)
    call_command("regenerate_charts", "--all", "--sync", stdout=io.StringIO())
    news = Post.objects.create(
        kind=PostKind.NEWS,
        slug="with-chart",
        title="With a chart",
        description="Charted.",
        body='Text.\n\n{% chart "big-tech-share" %}\n\n{% chart "academic-share" %}\n',
        status=PostStatus.PUBLISHED,
    )
    plain = Post.objects.create(
        kind=PostKind.GUIDE,
        slug="plain",
        title="Plain",
        description="No pictures.",
        body="Just words.\n",
        status=PostStatus.PUBLISHED,
    )
    return {"olmo": olmo, "news": news, "plain": plain}


PAGES = (
    "/",
    "/models/",
    "/models/olmo/",
    "/organisations/",
    "/compare/?models=olmo,other-model",
    "/charts/",
    "/news/",
    "/news/with-chart/",
    "/guides/plain/",
    "/no-such-page/",
)


def test_every_public_page_has_open_graph_and_twitter_card_meta(client, site):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        meta = _meta(response.content.decode())
        for name in (
            "og:title",
            "og:description",
            "og:image",
            "og:image:alt",
            "og:url",
            "twitter:card",
            "twitter:image",
        ):
            assert meta.get(name), (path, name)
        assert meta["og:image"].startswith("http://testserver/"), (path, meta["og:image"])
        assert meta["twitter:card"] == "summary_large_image"


def test_a_models_page_shows_its_own_card(client, site):
    olmo = site["olmo"]
    meta = _meta(client.get("/models/olmo/").content.decode())
    assert meta["og:image"] == "http://testserver/models/olmo/card.png"
    assert meta["og:image:alt"] == f"OLMo: {as_percent(olmo.total_score)}% open"
    response = client.get("/models/olmo/card.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.size == (1200, 630)
    assert client.get("/models/no-such-model/card.png").status_code == 404


def test_a_card_shows_the_grades_and_is_drawn_once_per_change(client, site, monkeypatch):
    olmo = site["olmo"]
    card = share_cards.model_card(olmo)
    assert (card.name, card.organisation, card.percent) == ("OLMo", "Ai2", as_percent(olmo.total_score))
    assert sorted(set(card.grades)) == ["closed", "open", "partial"]
    drawn = []
    original = share_cards.draw_model_card
    monkeypatch.setattr(share_cards, "draw_model_card", lambda c: drawn.append(c) or original(c))
    first = share_cards.model_card_png(olmo)
    assert share_cards.model_card_png(olmo) == first and len(drawn) == 1  # from storage the second time
    # A grade changes: a new card, and the old one is gone from storage.
    Assessment.objects.filter(ai_model=olmo, grade="closed").update(grade="open")
    from curation.assessments import recompute_scores

    recompute_scores([olmo])
    olmo.refresh_from_db()
    second = share_cards.model_card_png(olmo)
    assert second != first and len(drawn) == 2
    _dirs, files = share_cards.default_storage.listdir(share_cards.STORAGE_DIR)
    assert len([f for f in files if f.startswith(f"model-{olmo.pk}-")]) == 1
    # The grade bar's colours are on the picture: open green and partial amber.
    picture = Image.open(io.BytesIO(second)).convert("RGB")
    colours = {"#{:02x}{:02x}{:02x}".format(*rgb) for _n, rgb in picture.getcolors(1200 * 630)}
    assert {"#2e7d32", "#f2a900"} <= colours


def test_a_posts_picture_is_its_first_chart_else_the_sites_card(client, site):
    meta = _meta(client.get("/news/with-chart/").content.decode())
    chart = get_chart("big-tech-share")
    assert meta["og:image"] == f"http://testserver{chart.png_url}"
    assert meta["og:image:alt"] == chart.alt_text
    meta = _meta(client.get("/guides/plain/").content.decode())
    assert meta["og:image"] == "http://testserver/share/site.png"
    response = client.get("/share/site.png")
    assert response.status_code == 200 and Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_a_withdrawn_models_card_says_so(site):
    import datetime

    olmo = site["olmo"]
    AIModel.objects.filter(pk=olmo.pk).update(
        is_public=False, removed_upstream_at=datetime.datetime(2025, 3, 4, tzinfo=datetime.UTC)
    )
    olmo.refresh_from_db()
    assert share_cards.model_card(olmo).withdrawn_on == "4 March 2025"


def test_charts_and_news_have_titles_of_their_own(client, site):
    generic = _meta(client.get("/models/olmo/").content.decode())["og:site_name"]
    titles = {path: _meta(client.get(path).content.decode())["og:title"] for path in ("/charts/", "/news/", "/guides/")}
    assert titles["/charts/"].startswith("Charts") and titles["/news/"].startswith("News")
    assert titles["/guides/"].startswith("Guides")
    assert generic not in titles.values() and len(set(titles.values())) == 3


def test_the_not_found_page_names_no_canonical_address(client, site):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'rel="canonical"' not in response.content.decode()
    assert 'rel="canonical"' in client.get("/charts/").content.decode()


def test_a_models_description_claims_only_the_evidence_it_has(client, site):
    olmo = site["olmo"]
    applicable = Assessment.objects.filter(ai_model=olmo).count()
    assert applicable > 2

    def description():
        forget_cached_pages()
        return _meta(client.get("/models/olmo/").content.decode())["og:description"]

    assert description().endswith("No evidence recorded yet.")
    Assessment.objects.filter(ai_model=olmo, dimension__ref="licenses").update(links=["https://example.org/licence"])
    assert description().endswith(f"Evidence for 1 of {applicable} openness dimensions.")
    Assessment.objects.filter(ai_model=olmo).update(links=["https://example.org/evidence"])
    assert description().endswith("Evidence for every openness dimension.")
