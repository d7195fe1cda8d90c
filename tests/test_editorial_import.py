"""Importing the upstream site-pages (news and guides) with `import_pages`."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from curation.editorial.importer import convert_body, import_pages
from curation.models import Post, PostKind, PostStatus

pytestmark = pytest.mark.django_db


def _front_matter_status(path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[1:10]:
        if line.startswith("status:"):
            return line.split(":", 1)[1].strip()
    return ""


def test_shared_site_pages_every_file_imported_or_reported(shared_pages, client):
    files = sorted(shared_pages.glob("news/*.md")) + sorted(shared_pages.glob("guides/*.md"))
    pages = sorted(shared_pages.glob("pages/*.md"))
    report = import_pages(shared_pages)
    assert sorted(Post.objects.filter(kind=PostKind.PAGE).values_list("slug", flat=True)) == sorted(
        p.stem for p in pages
    )
    assert report.skipped == [], report.skipped
    files += pages

    handled = len(report.created) + len(report.updated) + len(report.unchanged) + len(report.skipped)
    assert handled == len(files) and len(files) > 20
    assert report.skipped == [], report.skipped

    published_files = [
        f
        for f in files
        if _front_matter_status(f) == "published" or (f.parent.name == "pages" and _front_matter_status(f) == "")
    ]
    assert len(report.published) == len(published_files)
    assert Post.objects.public().count() == len(published_files)
    news_list = client.get("/news/?page=1").content.decode() + client.get("/news/?page=2").content.decode()
    guides_list = client.get("/guides/").content.decode() + client.get("/guides/?page=2").content.decode()
    for file in files:
        kind = {"news": PostKind.NEWS, "guides": PostKind.GUIDE, "pages": PostKind.PAGE}[file.parent.name]
        post = Post.objects.get(kind=kind, slug=file.stem)
        if kind == PostKind.PAGE:  # pages are published unless their front matter says otherwise
            assert post.status == PostStatus.PUBLISHED and client.get(post.get_absolute_url()).status_code == 200
            continue
        listing = news_list if kind == PostKind.NEWS else guides_list
        if file in published_files:
            assert post.status == PostStatus.PUBLISHED
            assert f'href="{post.get_absolute_url()}"' in listing
            assert client.get(post.get_absolute_url()).status_code == 200
        else:  # draft and unpublished stay hidden
            assert post.status == PostStatus.DRAFT, file.name
            assert f'href="{post.get_absolute_url()}"' not in listing
            assert client.get(post.get_absolute_url()).status_code == 404


def test_components_become_embeds(shared_pages):
    import_pages(shared_pages)
    guide = Post.objects.get(kind=PostKind.GUIDE, slug="big-tech-companies-role")
    assert guide.author_names == "Dick Blankvoort" and guide.date.isoformat() == "2025-08-14"
    assert "<author" not in guide.body and "<date" not in guide.body
    assert guide.body.count("{% byline %}") == 1  # author and date lines make one byline
    assert '{% chart "academic-share" %}' in guide.body
    assert '{% chart "national-origins-latest" %}' in guide.body
    assert '{% chart "big-tech-share-latest" %}' in guide.body
    assert "/images/academic_pie.png" not in guide.body
    # A diagram that is not one of our charts comes from the image library, with its text.
    chinese = Post.objects.get(kind=PostKind.GUIDE, slug="chinese-western-divide")
    assert '{% image "chinese_model_distribution.png" %}' in chinese.body
    assert "/images/chinese_model_distribution.png" not in chinese.body

    lumo = Post.objects.get(kind=PostKind.NEWS, slug="lumo-proton-least-open")
    assert '{% index view="grid" models="OLMo, deepseek-v3, lumo" %}' in lumo.body
    assert "::the-index" not in lumo.body
    # The title repeated as a first heading is dropped (the page prints the title).
    assert not guide.body.lstrip().startswith("# ")


def test_upstream_dates_in_day_month_year_are_read(shared_pages):
    import_pages(shared_pages)
    post = Post.objects.get(kind=PostKind.NEWS, slug="open-washing")
    assert post.date.isoformat() == "2024-11-05" and post.status == PostStatus.DRAFT


def test_reimport_is_idempotent_and_keeps_revisions(shared_pages, tmp_path):
    root = tmp_path / "pages"
    shutil.copytree(shared_pages, root)
    first = import_pages(root)
    second = import_pages(root)
    assert second.created == [] and second.updated == [] and len(second.unchanged) == len(first.created)

    page = root / "news" / "deepseek.md"
    page.write_text(
        page.read_text(encoding="utf-8").replace("How Open is DeepSeek?", "How Open is DeepSeek, really?"),
        encoding="utf-8",
    )
    third = import_pages(root)
    assert third.updated == ["news/deepseek"]
    post = Post.objects.get(kind=PostKind.NEWS, slug="deepseek")
    assert post.title == "How Open is DeepSeek, really?"
    assert [r.title for r in post.revisions.order_by("number")] == [
        "How Open is DeepSeek?",
        "How Open is DeepSeek, really?",
    ]


def _pages_with_bad_files(shared_pages, tmp_path):
    root = tmp_path / "pages"
    (root / "news").mkdir(parents=True)
    (root / "guides").mkdir()
    shutil.copy(shared_pages / "news" / "deepseek.md", root / "news")
    shutil.copy(shared_pages / "guides" / "model-types.md", root / "guides")
    (root / "news" / "no-front-matter.md").write_text("# Just a heading\n\nText.\n")
    (root / "news" / "bad-yaml.md").write_text("---\ntitle: [unclosed\ndate: 2025-01-01\n---\nBody\n")
    (root / "guides" / "bad-date.md").write_text("---\ntitle: When?\ndate: someday\nstatus: published\n---\nBody\n")
    (root / "guides" / "---.md").write_text("---\ntitle: No address\ndate: 2025-01-01\n---\nBody\n")
    (root / "guides" / "bad-index.md").write_text(
        "---\ntitle: Index\ndate: 2025-01-01\nstatus: published\n---\n::the-index\n---\nfilters: [oops\n---\n::\n"
    )
    return root


def test_bad_files_are_reported_by_name_and_skipped(shared_pages, tmp_path):
    root = _pages_with_bad_files(shared_pages, tmp_path)
    report = import_pages(root)
    reasons = dict(report.skipped)
    assert set(reasons) == {
        "news/no-front-matter.md",
        "news/bad-yaml.md",
        "guides/bad-date.md",
        "guides/bad-index.md",
        "guides/---.md",
    }
    assert "file name gives no web address" in reasons["guides/---.md"]
    assert "no front matter" in reasons["news/no-front-matter.md"]
    assert "not valid YAML" in reasons["news/bad-yaml.md"]
    assert "'someday' is not a date" in reasons["guides/bad-date.md"]
    assert reasons["guides/bad-index.md"].startswith("::the-index props: line 9: invalid YAML")
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["deepseek", "model-types"]


def test_strict_writes_nothing_when_a_file_is_bad(shared_pages, tmp_path):
    root = _pages_with_bad_files(shared_pages, tmp_path)
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="5 bad file"):
        call_command("import_pages", str(root), "--strict", stderr=stderr)
    assert "skipped news/bad-yaml.md" in stderr.getvalue()
    assert not Post.objects.exists()


def test_command_reports_counts_and_published_posts(shared_pages):
    out = io.StringIO()
    call_command("import_pages", str(shared_pages), stdout=out)
    text = out.getvalue()
    assert "skipped 0" in text and "published: news/deepseek" in text
    assert "published: guide/academia-role" not in text  # a draft
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_pages", str(shared_pages / "nowhere"))


def test_convert_body_escapes_quotes_in_filter_values():
    body = '::the-index\n---\nhideFilters: true\nfilters:\n  models: say "hi"\n  view: grid\n---\n::\n'
    assert convert_body(body).strip() == '{% index view="grid" models="say \\"hi\\"" %}'
    from curation.editorial.rendering import parse_directive

    assert parse_directive(convert_body(body).strip()).options["models"] == 'say "hi"'
