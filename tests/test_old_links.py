"""Every address of the upstream site (osai-index.eu) keeps working here: a permanent redirect
to the same content, checked for every model file of ../shared/data/main-database and every page
and internal link of ../shared/data/site-pages."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.contrib.staticfiles import finders

from curation.editorial.importer import import_pages
from curation.interchange import import_index
from curation.models import AIModel

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Links of the upstream Markdown to upstream addresses: `](/model/olmo)`, `](https://www.osai-index.eu/database)`.
_UPSTREAM_LINK = re.compile(r"\]\(((?:https?://(?:www\.)?osai-index\.eu)?/(?:model|database|the-index|compare)[^)\s]*)")
# The links of the upstream articles that lead nowhere upstream either: models that were removed
# upstream (the first is in a published guide) or never had that file name (in a draft).
DEAD_UPSTREAM_LINKS = {
    "/compare?models=olmo-7b-instruct,amber,pythia-chat-base-7B": "pythia-chat-base-7B",
    "/model/minimax-text": "minimax-text",
}


@pytest.fixture
def imported(registry, shared_database, shared_pages):
    report = import_index(shared_database)
    import_pages(shared_pages)
    return report


def _location(response) -> str:
    assert response.status_code == 301, (response.status_code, response.get("Location"))
    return response["Location"]


def test_every_model_file_has_its_old_address(imported, shared_database, client):
    imported_files = set(imported.created)
    files = sorted(p for p in shared_database.glob("*.yaml") if p.name in imported_files)
    assert len(files) == AIModel.objects.count() > 150
    for path in files:
        model = AIModel.objects.get(upstream_filename=path.name)
        target = f"/models/{model.slug}/"
        for name in {path.stem, path.stem.lower(), path.stem.upper(), path.name}:
            assert _location(client.get(f"/model/{quote(name)}")) == target, name
        assert client.get(target).status_code == 200, path.name
    # A file that is no model (upstream's submission template) leads to no model page.
    not_models = sorted(p.name for p in shared_database.glob("*.yaml") if p.name not in imported_files)
    assert len(not_models) == 1
    for name in not_models:
        response = client.get(f"/model/{quote(name[:-5])}")
        assert response.status_code == 404


def test_unknown_model_is_a_404_in_the_sites_design(imported, client):
    response = client.get("/model/no-such-model")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


def test_every_upstream_link_of_the_site_pages_leads_to_a_page(imported, shared_pages, client):
    links = set()
    for path in shared_pages.rglob("*.md"):
        links.update(_UPSTREAM_LINK.findall(path.read_text(encoding="utf-8")))
    assert len(links) > 30
    checked, dead = 0, set()
    for link in sorted(links):
        parts = urlsplit(link)
        if parts.path.startswith("/database="):
            continue  # a typo of upstream's home page, repaired by the page import (tested there)
        address = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(address)
        if response.status_code == 404:
            dead.add(address)
            continue
        target = _location(response)
        assert client.get(target).status_code == 200, (link, target)
        checked += 1
    assert checked >= 25
    assert dead == set(DEAD_UPSTREAM_LINKS)


def test_fixed_pages_keep_their_addresses(imported, shared_pages, client):
    for path in sorted((shared_pages / "pages").glob("*.md")):
        if path.stem == "index":
            assert client.get("/").status_code == 200
            continue
        assert _location(client.get(f"/{path.stem}")) == f"/{path.stem}/"
        assert client.get(f"/{path.stem}/").status_code == 200, path.stem
    for slug in ("about", "contribute", "osai-definitions"):
        assert client.get(f"/{slug}/").status_code == 200


INDEX_ADDRESSES = [
    ("/database?type=text,image", "/models/?type=text&type=image"),
    ("/database?type=TEXT&performanceclass=latest", "/models/?type=text&performance_class=latest"),
    ("/the-index?performanceclass=full,limited", "/models/?performance_class=full&performance_class=limited"),
    ("/database?basemodel=Llama", "/models/?base_model=Llama"),
    ("/database?q=olmo", "/models/?q=olmo"),
    (
        "/database?type=text&preprint=1&trainingcode=0.5",
        "/models/?type=text&grade_preprint=open&grade_trainingcode=partial",
    ),
    ("/database?trainingcode=0&trainingcode=1", "/models/?grade_trainingcode=closed&grade_trainingcode=open"),
    ("/database?type=image&view=grid", "/models/?type=image&view=grid"),
    ("/database?type=image&view=bars", "/models/?type=image"),
    ("/the-index?type=all", "/models/"),
    ("/database?type=code&utm_source=newsletter", "/models/?type=code"),
    ("/the-index/?type=video", "/models/?type=video"),
]


def test_index_addresses_translate_upstream_query_names(imported, client):
    for old, new in INDEX_ADDRESSES:
        target = _location(client.get(old))
        assert (urlsplit(target).path, parse_qs(urlsplit(target).query)) == (
            urlsplit(new).path,
            parse_qs(urlsplit(new).query),
        ), old
        assert client.get(target).status_code == 200, old
    # `models=` names models by file (any case): the comparison shows exactly those.
    slugs = [AIModel.objects.get(upstream_filename=f).slug for f in ("OLMo.yaml", "deepseek-v3.yaml")]
    assert _location(client.get("/database?models=olmo,DEEPSEEK-V3")) == f"/compare/?models={','.join(slugs)}"


def test_the_database_page_without_a_query_is_the_fixed_page(imported, client):
    assert _location(client.get("/database")) == "/database/"
    assert _location(client.get("/the-index")) == "/database/"


def test_an_index_address_with_a_value_upstream_never_had_says_what_is_wrong(imported, client):
    response = client.get("/database?type=hologram")
    assert response.status_code == 404


def test_compare_addresses_take_file_names_and_model_names_in_any_case(imported, client):
    olmo = AIModel.objects.get(upstream_filename="OLMo.yaml")
    nitro = AIModel.objects.get(upstream_filename="AMD Nitro Diffusion.yaml")
    target = _location(client.get("/compare", {"models": f"olmo,{nitro.upstream_filename[:-5].upper()}"}))
    assert target == f"/compare/?models={olmo.slug},{nitro.slug}"
    page = client.get(target)
    assert page.status_code == 200 and olmo.name in page.content.decode()
    # The compare page itself reads names too, and settles on the shareable address of slugs.
    response = client.get("/compare/", {"models": f"{olmo.name.upper()},{nitro.name}"})
    assert response.status_code == 302 and response["Location"] == target


def test_every_picture_of_the_upstream_site_is_at_its_address(imported, shared_pages, client):
    for path in sorted((shared_pages / "images").iterdir()):
        response = client.get(f"/images/{quote(path.name)}")
        assert response.status_code == 200, path.name
        assert response["Content-Type"].startswith("image/"), path.name
        assert b"".join(response.streaming_content) == path.read_bytes()


def test_favicon_and_robots(client, db):
    favicon = _location(client.get("/favicon.ico"))
    assert favicon.endswith("/favicon.ico") and finders.find("curation/favicon.ico")
    robots = client.get("/robots.txt")
    assert robots.status_code == 200 and robots["Content-Type"].startswith("text/plain")
    text = robots.content.decode()
    assert "Disallow: /admin/" in text and "Sitemap: http://testserver/sitemap.xml" in text
