"""The whole upstream site's content (../shared/data/site-pages) on this site: the import's
figures, the pictures of every published article, the fixed pages with their components, and
the menu, footer and titles coming from the imported data."""

from __future__ import annotations

import re

import pytest
import yaml
from django.core.management import call_command

from curation.editorial.importer import import_pages
from curation.models import Image, MenuItem, Post, PostKind, PostStatus, SiteSettings

pytestmark = pytest.mark.django_db

_IMG = re.compile(r"<img\b[^>]*>")


@pytest.fixture
def imported_site(registry, shared_database, shared_pages):
    """The shared index data, then the shared site pages, as a site would import them."""
    from curation.interchange import import_index

    import_index(shared_database)
    return import_pages(shared_pages)


def _attribute(tag: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', tag)
    return match.group(1).replace("&amp;", "&") if match else None


def test_the_import_reports_its_figures(imported_site, shared_pages):
    report = imported_site
    figures = report.figures()
    articles = list(shared_pages.glob("news/*.md")) + list(shared_pages.glob("guides/*.md"))
    pages = list(shared_pages.glob("pages/*.md"))
    assert report.skipped == []
    assert figures["posts_created"] == len(articles) + len(pages) == 34
    assert (figures["published"], figures["drafts"]) == (20, 14)
    # Every upstream component is known; each use is counted.
    assert report.unknown_components == []
    assert dict(report.components) == {
        "author": 11,
        "date": 7,
        "the-index": 25,
        "person": 5,
        "note": 1,
        "contribute": 1,
        "landing": 1,
        "spotlight": 1,
        "news": 1,
        "guides": 1,
        "partners": 1,
        "as-seen-in": 1,
        "versionlink": 2,
    }
    # Pictures: all of images/ in the library, shown by embeds; the charts the index draws itself
    # became live charts; the about page's portraits are not in the upstream folder.
    assert sorted(Image.objects.values_list("name", flat=True)) == sorted(
        p.name for p in (shared_pages / "images").iterdir()
    )
    assert (figures["picture_embeds"], figures["charts_replaced"]) == (8, 6)
    assert {(i.file, i.message.split(" is ")[0]) for i in report.missing_images} == {
        ("pages/about.md", "picture 'headshot-placeholder.png'")
    }
    # Internal links: every one checked and written as this site's address. The only dead one in
    # published text compares two models that upstream removed on 2025-03-04.
    assert figures["links_checked"] == 63 and figures["links_rewritten"] >= 50
    assert [str(i) for i in report.broken_links] == [
        "guides/open-llms-education.md, line 34: https://www.osai-index.eu/compare?models=olmo-7b-instruct,"
        "amber,pythia-chat-base-7B: no public model is called 'olmo-7b-instruct', 'pythia-chat-base-7B' "
        "(by file name, slug or name)",
    ]
    assert {str(i) for i in report.repaired_links} == {
        "pages/index.md, line 24: /database=text read as /database?type=text",
        "news/introducing-eu-osai-index.md, line 30: closed the title of [compare Llama 3.3 and OLMo 7B]"
        '(/compare?models=OLMo,llama-3.3 "Comparison of Llama and OLMo)',
    }
    # Links between drafts wait for those drafts; none of them is in front of readers.
    assert all(Post.objects.get(source_path=i.file).status == PostStatus.DRAFT for i in report.draft_links)
    assert "menu (6 entries)" in report.site_changes and "footer" in report.site_changes


def test_links_are_written_as_this_sites_addresses(imported_site, client):
    intro = Post.objects.get(kind=PostKind.NEWS, slug="introducing-eu-osai-index")
    assert "(/models/?type=text&grade_preprint=open&grade_trainingcode=open)" in intro.body
    assert "(/guides/llama-vs-bloom-openness/)" in intro.body and "(/contribute/)" in intro.body
    assert (
        "(/models/olmo/)" in intro.body
        and '(/compare/?models=olmo,llama-33 "Comparison of Llama and OLMo")' in intro.body
    )
    assert "(/database/)" in intro.body and "/model/" not in intro.body and "(/database?" not in intro.body
    lumo = Post.objects.get(kind=PostKind.NEWS, slug="lumo-proton-least-open")
    assert "(/models/mistral-large-3/)" in lumo.body  # /model/mistral: Mistral.yaml
    for post in Post.objects.public():
        for target in re.findall(r"\]\((/[^)\s]*)", post.body):
            target = target.split("#")[0] or "/"
            if target.startswith(("/compare/?models=olmo-7b", "/images/")):
                continue
            assert client.get(target).status_code == 200, (post.slug, target)


def test_every_picture_of_every_published_article_is_served_with_alt_text(imported_site, client):
    call_command("regenerate_charts", "--all", "--sync", stdout=None)
    seen, expected = 0, 0
    for post in Post.objects.public().exclude(kind=PostKind.PAGE):
        expected += post.body.count("{% image ") + post.body.count("{% chart ")
        html = client.get(post.get_absolute_url()).content.decode()
        article = html[html.index("<article") : html.index("</article>")]
        for tag in _IMG.findall(article):
            alt = _attribute(tag, "alt")
            assert alt and alt.strip(), (post.slug, tag)
            addresses = [_attribute(tag, "src")] + [
                part.strip().split(" ")[0] for part in (_attribute(tag, "srcset") or "").split(",") if part.strip()
            ]
            for address in addresses:
                response = client.get(address)
                assert response.status_code == 200, (post.slug, address)
                assert response["Content-Type"].startswith("image/"), address
                b"".join(response.streaming_content) if response.streaming else response.content
            seen += 1
    assert seen == expected == 5  # musgo, aleph-alpha, lumo, deepseek, open-llms-education


def test_the_library_pictures_keep_their_upstream_text(imported_site):
    musgo = Image.objects.get(name="musgo-screenshot-july2025.png")
    assert musgo.alt_text == "Screenshot of MusGO leaderboard" and musgo.caption == "MusGO screenshot"
    assert musgo.renditions.exists() and all(r.width < musgo.width for r in musgo.renditions.all())
    survey = Image.objects.get(name="llm_survey.gif")
    assert not survey.renditions.exists()  # animated: the original keeps moving


def test_about_contribute_database_and_home_render_with_their_components(imported_site, client):
    about = client.get("/about/").content.decode()
    assert about.count('class="embed-person"') == 5 and "Team Member 3" in about
    assert about.count('class="person-initials"') == 5  # the portraits are not in the upstream folder
    contribute = client.get("/contribute/").content.decode()
    assert '<aside class="embed-note">' in contribute and "Contributor Code of Conduct" in contribute
    assert contribute.count("<h1") == 1 and "<title>Contribution Guidelines · " in contribute
    database = client.get("/database/").content.decode()
    assert 'class="embed-index-filters"' in database
    assert re.search(r'name="type" value="text"[^>]* checked', database)  # upstream's list starts with text models
    assert database.count('<th scope="row">') == 100 and 'class="embed-contribute"' in database
    home = client.get("/").content.decode()
    assert (
        '<h1 class="landing-title">EU-based community-driven research on open-source generative AI systems</h1>' in home
    )
    assert 'class="spotlight-side"' in home and "/models/apertus/" in home and "Latest news" in home
    definitions = client.get("/osai-definitions/")
    assert definitions.status_code == 200 and "A European Open Source AI Definition" in definitions.content.decode()


def test_menu_footer_and_titles_come_from_the_imported_data(imported_site, client, shared_pages):
    upstream_menu = yaml.safe_load((shared_pages / "menu.yml").read_text())["menu"]
    home = client.get("/news/").content.decode()
    nav = home[home.index('<nav aria-label="Main"') : home.index("</nav>")]
    labels = re.findall(r">([^<>]+)</a></li>", nav)
    assert labels == [item.get("name") or "Codeberg" for item in upstream_menu]
    assert '<a href="/news/" aria-current="page">News</a>' in nav and 'href="/database/"' in nav
    assert 'href="https://codeberg.org/AI-technology-assessment/main-database" rel="noopener">Codeberg' in nav
    footer = home[home.index("<footer") :]
    assert "Supported by the Centre for Language Studies and the Dutch Research Council." in footer
    assert footer.count('class="embed-versionlink"') == 2
    model = client.get("/models/mistral-large-3/").content.decode()
    assert "<title>Mistral Large 3 by Mistral AI · European Open Source AI Index</title>" in model
    assert '<meta name="description" content="Mistral Large 3 open source evidence. Public openness assessment' in model
    compare = client.get("/compare/?models=olmo,mistral-large-3").content.decode()
    assert "<title>Compare OLMo and Mistral Large 3 · " in compare


def test_reimporting_changes_nothing(imported_site, shared_pages):
    again = import_pages(shared_pages)
    assert again.created == [] and again.updated == [] and again.skipped == []
    assert again.images_created == [] and again.images_updated == [] and len(again.images_unchanged) == 8
    assert again.site_changes == []


def test_editors_change_the_menu_and_footer_in_the_admin(client, role_users, django_capture_on_commit_callbacks):
    editor = role_users["editor"]
    client.force_login(editor)
    row = SiteSettings.objects.get()
    items = list(row.menu_items.all())
    data = {
        "footer": 'Run by **volunteers**. Data of {% versionlink repo="data" %}.',
        "model_title": "{system.name} openness",
        "model_description": "",
        "compare_title": "",
        "compare_description": "",
        "menu_items-TOTAL_FORMS": str(len(items) + 1),
        "menu_items-INITIAL_FORMS": str(len(items)),
        "logos-TOTAL_FORMS": "0",
        "logos-INITIAL_FORMS": "0",
    }
    for i, item in enumerate(items):
        data.update(
            {
                f"menu_items-{i}-id": item.pk,
                f"menu_items-{i}-site": row.pk,
                f"menu_items-{i}-position": item.position,
                f"menu_items-{i}-label": item.label,
                f"menu_items-{i}-link": item.link,
                f"menu_items-{i}-icon": "",
            }
        )
    n = len(items)
    data.update(
        {
            f"menu_items-{n}-site": row.pk,
            f"menu_items-{n}-position": 99,
            f"menu_items-{n}-label": "Press",
            f"menu_items-{n}-link": "/press/",
            f"menu_items-{n}-icon": "",
        }
    )
    url = f"/admin/curation/sitesettings/{row.pk}/change/"
    client.get("/news/")  # a cached page, to see that the change reaches it
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.logout()
    page = client.get("/news/").content.decode()
    assert '<a href="/press/">Press</a>' in page and "Run by <strong>volunteers</strong>" in page
    # A placeholder the templates do not know, or a script link, is refused with its reason.
    client.force_login(editor)
    data.update({"model_title": "{system.colour}", f"menu_items-{n}-link": "javascript:alert(1)"})
    page = client.post(url, data).content.decode()
    assert "{system.colour} is not a placeholder here" in page and "is not an http(s) URL" in page
    assert not MenuItem.objects.filter(link__startswith="javascript").exists()


def test_a_new_cache_generation_forgets_the_navigation_of_an_equal_data_version(db):
    """Data versions are outbox ids, which start again in a new or restored database: the menu
    cached for version N in a shared cache must not be served for another database's version N
    once the page cache's generation is renewed."""
    from curation.editorial.site import SITE_SETTINGS_ID, navigation
    from curation.public.caching import retire_cached_pages

    site, _ = SiteSettings.objects.get_or_create(pk=SITE_SETTINGS_ID)
    MenuItem.objects.filter(site=site).delete()
    MenuItem.objects.create(site=site, position=1, label="Old", link="/old/")
    assert [entry.label for entry in navigation().menu] == ["Old"]
    # Another database's state at the same data version (nothing recorded as a data change).
    MenuItem.objects.filter(site=site).update(label="New", link="/new/")
    assert [entry.label for entry in navigation().menu] == ["Old"]  # cached per data version
    retire_cached_pages()
    assert [entry.label for entry in navigation().menu] == ["New"]
