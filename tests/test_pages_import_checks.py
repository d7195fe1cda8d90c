"""What `import_pages` checks in a site-pages folder: internal links (each resolves, directly or
as an old upstream address, or is reported with file and line), pictures, menu and title
templates; and bad input of every kind (issue 16, section 3), each reported with its file while
the others import, with `--strict` writing nothing."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.management import CommandError, call_command
from PIL import Image as PillowImage

from curation.editorial.importer import import_pages
from curation.models import Image, MenuItem, Post, SiteSettings

pytestmark = pytest.mark.django_db

FRONT = "---\ntitle: {title}\ndate: 2025-01-01\nstatus: {status}\n---\n"


def write(root, name, text, status="published"):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.startswith(("news/", "guides/")):
        text = FRONT.format(title=path.stem.replace("-", " ").title(), status=status) + text
    path.write_text(text, encoding="utf-8")
    return path


def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def site_folder(tmp_path, make_ai_model):
    make_ai_model("OLMo", upstream_filename="OLMo.yaml")
    make_ai_model("Mistral Large 3", upstream_filename="Mistral.yaml")
    root = tmp_path / "site-pages"
    write(root, "news/target.md", "A published target.\n")
    write(root, "news/unfinished.md", "A draft.\n", status="draft")
    write(root, "pages/about.md", "# About us\n\nWho we are.\n")
    (root / "images").mkdir()
    (root / "images" / "figure.png").write_bytes(png())
    return root


def test_internal_links_resolve_or_are_reported_with_file_and_line(site_folder):
    write(
        site_folder,
        "news/links.md",
        "\n".join(
            [
                "[ok](/news/target) [page](/about) [model](/model/olmo) [old name](/model/mistral)",  # line 6
                "[index](/database?type=image&performanceclass=latest) [legacy](https://www.osai-index.eu/the-index)",
                "[compare](/compare?models=OLMo,mistral) [anchor](#top) [other site](https://example.org/x)",
                "[gone](/model/no-such-model) [filter](/database?colour=red) [draft](/news/unfinished)",
                "[nowhere](/no/such/page) ![figure](/images/figure.png) ![missing](/images/missing.png)",
                "[ref]: /guides/nowhere",
            ]
        ),
    )
    report = import_pages(site_folder)
    body = Post.objects.get(slug="links").body
    assert "[ok](/news/target/) [page](/about/) [model](/models/olmo/) [old name](/models/mistral-large-3/)" in body
    assert "[index](/models/?type=image&performance_class=latest) [legacy](/models/)" in body
    assert "[compare](/compare/?models=olmo,mistral-large-3) [anchor](#top) [other site](https://example.org/x)" in body
    assert "![figure](/images/figure.png)" in body
    broken = {(i.file, i.line, i.message.split(":")[0]) for i in report.broken_links}
    assert broken == {
        ("news/links.md", 9, "/model/no-such-model"),
        ("news/links.md", 9, "/database?colour=red"),
        ("news/links.md", 9, "/news/unfinished"),
        ("news/links.md", 10, "/no/such/page"),
        ("news/links.md", 11, "/guides/nowhere"),
    }
    reasons = {i.message for i in report.broken_links}
    assert "/news/unfinished: the news 'unfinished' is draft, so readers cannot open it" in reasons
    assert any(r.startswith("/database?colour=red: unknown upstream filter colour=red") for r in reasons)
    assert [str(i) for i in report.missing_images] == [
        "news/links.md, line 10: picture 'missing.png' is neither in images/ nor in the image library",
    ]
    assert report.links_checked == 12 and report.links_rewritten == 7


def test_a_link_to_a_withdrawn_model_resolves_and_drafts_or_unknown_models_are_reported(site_folder, make_ai_model):
    import datetime

    withdrawn_on = datetime.datetime(2025, 3, 4, tzinfo=datetime.UTC)
    make_ai_model("Old model", upstream_filename="old-model.yaml", is_public=False, removed_upstream_at=withdrawn_on)
    make_ai_model("Hidden model", upstream_filename="hidden.yaml", is_public=False)
    write(
        site_folder,
        "news/old.md",
        "\n".join(
            [
                "[old](/model/old-model) and [both](/compare?models=old-model,olmo)",  # line 6
                "[ghost](/compare?models=old-model,ghost) [hidden](/model/hidden)",
            ]
        )
        + "\n",
    )
    report = import_pages(site_folder)
    body = Post.objects.get(slug="old").body
    assert "[old](/models/old-model/) and [both](/compare/?models=old-model,olmo)" in body
    assert [str(i) for i in report.broken_links] == [
        "news/old.md, line 7: /compare?models=old-model,ghost: no public model is called 'ghost' (by file name, slug or name)",
        "news/old.md, line 7: /model/hidden: 'hidden' is a draft, so readers cannot open it",
    ]


def test_a_drafts_links_wait_for_their_targets(site_folder):
    write(site_folder, "guides/in-progress.md", "See [the other draft](/news/unfinished).\n", status="draft")
    report = import_pages(site_folder)
    assert report.broken_links == []
    assert [str(i) for i in report.draft_links] == [
        "guides/in-progress.md, line 6: /news/unfinished: the news 'unfinished' is draft, so readers cannot open it",
    ]


def test_menu_footer_title_templates_and_logos_are_read_and_checked(site_folder):
    write(
        site_folder,
        "menu.yml",
        "\n".join(
            [
                "menu:",
                "  - name: About",
                "    link: /about",
                "  - name: Sneaky",
                "    link: javascript:alert(1)",
                "  - icon: devicon-plain:codeberg",
                "    link: https://codeberg.org/x",
                "  - name: Broken",
                "    link: /nowhere",
            ]
        ),
    )
    write(site_folder, "footer.md", "Data of :versionlink{repo=data}. [About](/about)")
    write(site_folder, "SEO.yml", "models:\n  title: '{system.name} from {org.colour}'\npages:\n  title: x\n")
    write(
        site_folder,
        "partners.yml",
        "items:\n  - title: Partner\n    url: https://partner.example\n    image: /images/figure.png\n",
    )
    report = import_pages(site_folder)
    assert list(MenuItem.objects.values_list("label", "link")) == [
        ("About", "/about/"),
        ("Codeberg", "https://codeberg.org/x"),
        ("Broken", "/nowhere"),
    ]
    warnings = {str(i) for i in report.warnings}
    assert any(
        w.startswith("menu.yml, line 4: menu entry 'Sneaky': link 'javascript:alert(1)' is not an http(s) URL")
        for w in warnings
    )
    assert any(i.file == "menu.yml" and i.line == 8 and "/nowhere" in i.message for i in report.broken_links)
    row = SiteSettings.objects.get()
    assert row.footer == 'Data of {% versionlink repo="data" %}. [About](/about/)'
    assert row.model_title == "{system.name} from {org.colour}"
    assert "SEO.yml: models.title: {org.colour} is not a placeholder here" in " ".join(warnings)
    assert "SEO.yml: 'pages': this site has title templates for models, compare only; left out" in warnings
    logo = row.logos.get()
    assert (logo.title, logo.link, logo.image.name) == ("Partner", "https://partner.example", "figure.png")


# --- bad input ---------------------------------------------------------------------------------
ALIAS_BOMB = (
    "---\ntitle: Bomb\ndate: 2025-01-01\na: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    + "---\nBody\n"
)


@pytest.fixture
def hostile_folder(site_folder, tmp_path):
    news = site_folder / "news"
    (news / "alias-bomb.md").write_text(ALIAS_BOMB)
    (news / "deep.md").write_text("---\ntitle: Deep\ndate: 2025-01-01\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nBody\n")
    (news / "huge.md").write_text(FRONT.format(title="Huge", status="published") + "x" * (2 * 1024 * 1024))
    (news / "nul.md").write_bytes(FRONT.format(title="Nul", status="published").encode() + b"text\x00more\n")
    (news / "latin1.md").write_bytes(FRONT.format(title="Caf\xe9", status="published").encode("latin-1"))
    os.mkdir(news / "folder.md")
    os.symlink("/etc/passwd", news / "outside.md")
    os.symlink(news / "gone.md", news / "dangling.md")
    os.symlink(tmp_path, site_folder / "guides")
    (news / os.fsdecode(b"bad-name-\xff.md")).write_text(FRONT.format(title="Bad name", status="published"))
    (site_folder / "pages" / "deep-components.md").write_text("\n".join(["::note"] * 40 + ["x"] + ["::"] * 40))
    (site_folder / "pages" / "bomb-props.md").write_text(
        "::the-index\n---\n" + ALIAS_BOMB.split("---\n")[1] + "---\n::\n"
    )
    (site_folder / "images" / "not-a-picture.png").write_bytes(b"\x89PNG but no picture")
    (site_folder / "SEO.yml").write_text("models: &m [*m]\n")
    return site_folder


EXPECTED_REFUSALS = {
    "news/alias-bomb.md": "front matter is not valid YAML",
    "news/deep.md": "front matter is not valid YAML",
    "news/huge.md": "files over 1.0 MB are refused",
    "news/nul.md": "contains NUL bytes",
    "news/latin1.md": "not UTF-8 text",
    "news/folder.md": "is a folder, not a file",
    "news/outside.md": "symbolic link leading outside the folder",
    "news/dangling.md": "symbolic link to nothing",
    "guides": "is a symbolic link; not followed",
    "news/bad-name-\\xff.md": "the file name is not valid UTF-8",
    "pages/deep-components.md": "nested more than",
    "pages/bomb-props.md": "::the-index props:",
    "images/not-a-picture.png": "not a picture this site can read",
    "SEO.yml": "",
}


def test_bad_input_of_every_kind_is_reported_with_its_file_and_the_rest_imports(hostile_folder):
    report = import_pages(hostile_folder)
    reasons = dict(report.skipped)
    assert set(reasons) == set(EXPECTED_REFUSALS), reasons
    for name, words in EXPECTED_REFUSALS.items():
        assert words in reasons[name], (name, reasons[name])
    assert "aliases" in reasons["news/alias-bomb.md"] or "expand" in reasons["news/alias-bomb.md"]
    assert "deeper than" in reasons["news/deep.md"] or "nest" in reasons["news/deep.md"]
    # The good files imported.
    assert sorted(Post.objects.values_list("slug", flat=True)) == ["about", "target", "unfinished"]
    assert list(Image.objects.values_list("name", flat=True)) == ["figure.png"]


def test_strict_writes_nothing_when_any_file_is_bad(hostile_folder):
    stderr = io.StringIO()
    with pytest.raises(CommandError, match=f"{len(EXPECTED_REFUSALS)} bad file"):
        call_command("import_pages", str(hostile_folder), "--strict", stderr=stderr)
    assert "skipped news/nul.md: " in stderr.getvalue()
    assert not Post.objects.exists() and not Image.objects.exists()
    assert list(MenuItem.objects.values_list("link", flat=True))[:1] == ["/models/"]  # the menu untouched


def test_the_command_prints_the_reports_figures(site_folder):
    write(site_folder, "news/unknown.md", "::sparkle\nShiny.\n::\n")
    out = io.StringIO()
    call_command("import_pages", str(site_folder), stdout=out)
    text = out.getvalue()
    assert "created 4, updated 0, unchanged 0, skipped 0; published 3, drafts 1" in text
    assert "pictures: 1 new, 0 updated, 0 unchanged" in text
    assert "components: 0 (); unknown 1" in text
    assert "  unknown component: news/unknown.md, line 6: unknown component 'sparkle'" in text
    out = io.StringIO()
    call_command("import_pages", str(site_folder), "--json", stdout=out)
    assert '"unknown_components": 1' in out.getvalue() and '"posts_unchanged": 4' in out.getvalue()


def test_a_folder_without_site_content_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="has no news/, guides/ or pages/ Markdown files"):
        call_command("import_pages", str(tmp_path))
    with pytest.raises(CommandError, match="is not a folder"):
        call_command("import_pages", str(tmp_path / "nowhere"))
    shutil.rmtree(tmp_path)
