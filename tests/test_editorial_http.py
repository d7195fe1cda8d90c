"""News and guides over HTTP: public pages and feed, admin editing, workflow permissions per
role, preview exactly as published, signed share links, revision diff and restore."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import timezone

from curation.editorial import services
from curation.models import Post, PostKind, PostStatus
from tests.editorial_fixtures import ROLE_NAMES

pytestmark = pytest.mark.django_db


def _client_for(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def posts_in_every_status(make_post, editor):
    made = {}
    for status in PostStatus.values:
        made[status] = make_post(f"The {status} post", date=datetime.date(2025, 1, 1))
    services.submit_for_review(made["in_review"], user=editor)
    services.schedule(made["scheduled"], user=editor, publish_at=timezone.now() + datetime.timedelta(days=1))
    services.publish(made["published"], user=editor)
    services.publish(made["archived"], user=editor)
    services.archive(made["archived"], user=editor)
    return made


# --- public pages ---------------------------------------------------------------------------
def test_readers_see_only_published_posts(client, posts_in_every_status):
    listing = client.get("/news/").content.decode()
    assert "The published post" in listing
    for status in ("draft", "in_review", "scheduled", "archived"):
        assert f"The {status} post" not in listing
        assert client.get(f"/news/{posts_in_every_status[status].slug}/").status_code == 404
    page = client.get("/news/the-published-post/")
    assert page.status_code == 200 and "<h1>The published post</h1>" in page.content.decode()
    feed = client.get("/feeds/news.xml").content.decode()
    assert "The published post" in feed and "The draft post" not in feed and "The scheduled post" not in feed


def test_lists_are_newest_first_paginated_and_filter_by_tag(client, make_post, editor):
    for day in range(1, 13):
        post = make_post(f"Day {day:02d}", date=datetime.date(2025, 3, day), tags=["weights"] if day % 2 else ["data"])
        services.publish(post, user=editor)
    first = client.get("/news/").content.decode()
    assert first.index("Day 12") < first.index("Day 11") < first.index("Day 03")
    assert "Day 02" not in first and 'rel="next" href="?page=2"' in first
    second = client.get("/news/?page=2").content.decode()
    assert "Day 02" in second and "Day 01" in second and "Day 12" not in second

    tagged = client.get("/news/?tag=data").content.decode()
    assert "Day 12" in tagged and "Day 10" in tagged and "Day 11" not in tagged
    assert client.get("/news/?tag=no-such-tag").status_code == 404
    # Guides are a separate list.
    assert "Day 12" not in client.get("/guides/").content.decode()


def test_tag_links_name_only_tags_of_published_posts_of_that_kind(client, make_post, editor):
    services.publish(make_post("Published news", tags=["weights"]), user=editor)
    make_post("Draft news", tags=["secret"])
    services.publish(make_post("Published guide", kind=PostKind.GUIDE, tags=["howto"]), user=editor)
    page = client.get("/news/").content.decode()
    assert "?tag=weights" in page
    assert "?tag=secret" not in page and "?tag=howto" not in page


def test_guides_have_their_own_pages_and_feed(client, make_post, editor):
    guide = make_post("How to read the index", kind=PostKind.GUIDE)
    services.publish(guide, user=editor)
    assert client.get("/guides/how-to-read-the-index/").status_code == 200
    assert client.get("/news/how-to-read-the-index/").status_code == 404
    assert "How to read the index" in client.get("/guides/").content.decode()
    assert "How to read the index" in client.get("/feeds/guides.xml").content.decode()


def test_news_feed_is_valid_rss_with_items(client, make_post, editor):
    post = make_post(
        "Feed item",
        description="Summary <b>bold</b>",
        author_names="Ada Lovelace",
        date=datetime.date(2025, 5, 1),
        tags=["datasets"],
    )
    services.publish(post, user=editor)
    response = client.get("/feeds/news.xml")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    item = channel.find("item")
    assert item.findtext("title") == "Feed item"
    assert item.findtext("link").endswith("/news/feed-item/")
    assert item.findtext("description") == "Summary <b>bold</b>"  # escaped text, not markup
    assert item.findtext("category") == "datasets"
    assert "01 May 2025" in item.findtext("pubDate")


def test_post_page_without_byline_embed_shows_byline_under_title(client, make_post, editor):
    post = make_post("No byline", author_names="Mark Dingemanse", date=datetime.date(2025, 2, 17))
    services.publish(post, user=editor)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "By Mark Dingemanse" in html and '<time datetime="2025-02-17">' in html


def test_public_page_hides_broken_embeds(client, tmp_path):
    # Editors cannot publish broken embeds, but imported upstream posts keep their upstream
    # status (the import reports the problems): readers still see nothing broken.
    from curation.editorial.importer import import_pages

    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "broken-embeds.md").write_text(
        "---\ntitle: Broken embeds\ndate: 2025-01-01\nstatus: published\n---\n"
        'Before\n\n{% chart "nope" %}\n\n{% index view="x" %}\n\nAfter\n'
    )
    import_pages(tmp_path)
    post = Post.objects.get(slug="broken-embeds")
    html = client.get(post.get_absolute_url()).content.decode()
    assert response_ok(html) and "Before" in html and "After" in html
    assert "embed-error" not in html and "nope" not in html


def response_ok(html: str) -> bool:
    return "<article" in html


# --- admin: editing, preview, share link ----------------------------------------------------
def test_editor_creates_and_edits_a_post_in_the_admin_with_revisions(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:curation_post_add"),
        {
            "kind": "news",
            "title": "Admin written",
            "slug": "admin-written",
            "description": "",
            "body": "First body",
            "tag_names": "openness, data",
            "author_names": "Ada",
            "date": "2025-04-01",
            "cover_image_alt": "",
            "revision_comment": "First draft",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(slug="admin-written")
    assert post.status == PostStatus.DRAFT
    assert sorted(post.tags.values_list("name", flat=True)) == ["data", "openness"]

    response = client.post(
        reverse("admin:curation_post_change", args=[post.pk]),
        {
            "kind": "news",
            "title": "Admin written",
            "slug": "admin-written",
            "description": "",
            "body": "Second body",
            "tag_names": "openness",
            "author_names": "Ada",
            "date": "2025-04-01",
            "cover_image_alt": "",
            "revision_comment": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    revisions = list(post.revisions.order_by("number"))
    assert [(r.number, r.body, r.comment) for r in revisions] == [
        (1, "First body", "First draft"),
        (2, "Second body", "Edited"),
    ]
    assert revisions[1].metadata["tags"] == ["openness"]

    page = client.get(reverse("admin:curation_post_change", args=[post.pk])).content.decode()
    assert "Submit for review" in page and "/preview/" in page
    # The body's help lists the embeds and the chart keys that exist.
    assert "{% chart &quot;academic-share&quot; %}" in page and "national-origins-latest" in page


def test_saving_a_post_with_a_broken_embed_warns_the_editor(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:curation_post_add"),
        {
            "kind": "guide",
            "title": "Charts guide",
            "slug": "charts-guide",
            "description": "",
            "body": '{% chart "academic-pie" %}',
            "tag_names": "",
            "author_names": "",
            "date": "2025-04-01",
            "cover_image_alt": "",
            "revision_comment": "",
            "status_changes-TOTAL_FORMS": "0",
            "status_changes-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert "Embed problem: Line 1: unknown chart key &#x27;academic-pie&#x27;" in response.content.decode()
    assert Post.objects.filter(slug="charts-guide").exists()  # saved all the same, as a draft


def test_revision_diff_and_restore_in_the_admin(client, make_post, editor):
    post = make_post("Versioned", body="alpha\nbeta")
    post.body = "alpha\ngamma"
    services.save_post(post, user=editor)
    client.force_login(editor)
    url = reverse("admin:curation_post_revisions", args=[post.pk])
    diff = client.get(url, {"a": 1, "b": 2}).content.decode()
    assert 'class="diff-remove"' in diff and "-beta" in diff and "+gamma" in diff

    response = client.post(reverse("admin:curation_post_restore", args=[post.pk, 1]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "alpha\nbeta" and post.revisions.count() == 3


def test_admin_preview_renders_like_the_public_page_plus_problems(client, make_post, editor):
    post = make_post("Preview me", body="Hello **world**\n", author_names="Ada")
    services.publish(post, user=editor)
    # A broken embed in a published post, as an import of upstream content may leave one.
    Post.objects.filter(pk=post.pk).update(body='Hello **world**\n\n{% chart "no-such-chart" %}\n')
    post.refresh_from_db()
    public = client.get(post.get_absolute_url()).content.decode()
    client.force_login(editor)
    preview = client.get(reverse("admin:curation_post_preview", args=[post.pk])).content.decode()
    assert "<strong>world</strong>" in preview and "<strong>world</strong>" in public
    assert "unknown chart key" in preview and "unknown chart key" not in public

    # The article itself is the same markup apart from the error box.
    def article(html):
        return html[html.index("<article") : html.index("</article>")]

    without_errors = re.sub(r'<div class="embed-error".*?</div>\n?', "", article(preview), flags=re.S)
    assert without_errors == article(public)


def test_signed_link_shares_a_draft_without_an_account(client, make_post):
    post = make_post("Secret draft", body="Draft text")
    assert client.get(post.get_absolute_url()).status_code == 404
    token = services.make_preview_token(post)
    response = client.get(reverse("curation:shared-preview", args=[token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Draft text" in html and "Preview." in html and 'name="robots" content="noindex' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(reverse("curation:shared-preview", args=[token + "x"])).status_code == 404


def test_signed_link_expires(client, make_post, settings):
    post = make_post("Soon expired")
    token = services.make_preview_token(post)
    settings.OSAI_PREVIEW_LINK_MAX_AGE = -1
    assert client.get(reverse("curation:shared-preview", args=[token])).status_code == 404


# --- admin: the workflow buttons save the form first ----------------------------------------
def change_form_data(post, **overrides) -> dict:
    """What the post's change form submits, as the editor left it (with `overrides` typed in)."""
    data = {
        "kind": post.kind,
        "title": post.title,
        "slug": post.slug,
        "description": post.description,
        "body": post.body,
        "tag_names": ", ".join(post.tags.values_list("name", flat=True)),
        "author_names": post.author_names,
        "date": post.date.isoformat(),
        "cover_image_alt": post.cover_image_alt,
        "revision_comment": "",
        "workflow_comment": "",
        "workflow_publish_at": "",
        "seen_revision": str(services.latest_revision_number(post)),
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_publish_through_the_admin_by_role(client, role_users, make_post, role):
    post = make_post("Publish me")
    client = _client_for(client, role_users[role])
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, _workflow="publish"))
    post.refresh_from_db()
    if role in ("editor", "superuser"):
        assert response.status_code == 302 and post.status == PostStatus.PUBLISHED
        assert response["Location"] == url  # back to the post, not the list
    else:
        # Anonymous and non-staff readers are sent to log in; staff without the right get 403.
        expected = 302 if role in ("anonymous", "reader") else 403
        assert response.status_code == expected
        if expected == 302:
            assert "/admin/login/" in response["Location"]
        assert post.status == PostStatus.DRAFT


def test_publish_button_publishes_the_edited_body_not_the_saved_one(client, make_post, editor):
    post = make_post("Edited then published", body="The old body.")
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, body="The **new** body.", workflow_comment="Ready"), follow=True)
    # (a plain save first, to show the comment field is not required for it)
    response = client.post(
        url,
        change_form_data(post, body="The **newest** body.", _workflow="publish", workflow_comment="Ready to go"),
        follow=True,
    )
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.body == "The **newest** body."
    assert "“Edited then published” is now published." in _messages(response)
    assert post.revisions.first().body == "The **newest** body."  # saved as a revision first
    assert post.status_changes.first().comment == "Ready to go"
    public = client.get(post.get_absolute_url()).content.decode()
    assert "<strong>newest</strong>" in public and "old body" not in public


def test_an_invalid_form_is_neither_saved_nor_published(client, make_post, editor):
    post = make_post("Valid so far", body="Saved body.")
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, title="", body="Unsaved edit.", _workflow="publish"))
    assert response.status_code == 200  # the form again, with the editor's text in it
    html = response.content.decode()
    assert "Unsaved edit." in html and "This field is required." in html
    assert any(m.startswith("Nothing was saved and the post was not sent to “publish”") for m in _messages(response))
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.body == "Saved body." and post.revisions.count() == 1


def test_publish_is_refused_while_an_embed_has_a_problem_and_the_edit_is_kept(client, make_post, editor):
    post = make_post("Charts inside", body="Fine.")
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    body = 'Intro\n\n{% chart "academic-pie" %}\n\n{% index view="carousel" %}'
    response = client.post(url, change_form_data(post, body=body, _workflow="publish"), follow=True)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.body == body  # saved, not published
    messages = _messages(response)
    assert "Your changes were saved, but “Charts inside” was not published: 2 embeds must be fixed first." in messages
    assert any(
        m.startswith("Embed at line 3, {% chart \"academic-pie\" %}: unknown chart key 'academic-pie'")
        for m in messages
    )
    assert (
        "Embed at line 5, {% index view=\"carousel\" %}: index embed: view 'carousel' is not one of grid, table"
        in messages
    )
    # Scheduling is refused the same way.
    response = client.post(
        url, change_form_data(post, _workflow="schedule", workflow_publish_at="2030-01-02T03:04"), follow=True
    )
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and "was not scheduled: 2 embeds" in " ".join(_messages(response))
    # Submitting for review is not publishing: an editor may ask a colleague about the problem.
    client.post(url, change_form_data(post, _workflow="submit"))
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW


def test_a_taken_address_is_a_form_error_and_the_edit_is_kept(client, make_post, editor):
    make_post("First", slug="same")
    post = make_post("Second", body="Old text.")
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, slug="same", body="New text.", _workflow="publish"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "the address /news/same/ is already used by &#x27;First&#x27;" in html and "New text." in html
    post.refresh_from_db()
    assert post.slug == "second" and post.body == "Old text." and post.status == PostStatus.DRAFT


def test_a_published_post_cannot_be_saved_with_a_broken_embed(client, make_post, editor):
    post = make_post("Live post", body="Live text.")
    services.publish(post, user=editor)
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, body='Live text.\n\n{% chart "nope" %}\n'))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Readers would see a broken embed, so this was not saved: line 3, {% chart &quot;nope&quot; %}" in html
    assert "{% chart &quot;nope&quot; %}" in html  # the edit is still in the form
    post.refresh_from_db()
    assert post.body == "Live text." and post.revisions.count() == 1
    # The service refuses the same, whatever calls it.
    post.body = '{% chart "nope" %}'
    with pytest.raises(services.InvalidPost, match="cannot save the published post 'Live post' until 1 embed is fixed"):
        services.save_post(post, user=editor)


def test_saving_over_a_revision_made_since_the_form_was_opened_is_refused_once(client, make_post, editor, role_users):
    post = make_post("Shared post", body="First.")
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    opened = change_form_data(post)  # the editor opens the form at revision 1
    post.body = "A colleague's edit."
    services.save_post(post, user=role_users["superuser"])  # revision 2 meanwhile
    response = client.post(url, {**opened, "body": "My edit.", "_workflow": "publish"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "admin saved revision 2 of this post after you opened it, so nothing was saved." in html
    assert "My edit." in html
    post.refresh_from_db()
    assert post.body == "A colleague's edit." and post.status == PostStatus.DRAFT
    # Clicking again is a deliberate choice: the form now knows revision 2.
    assert 'name="seen_revision" value="2"' in html
    response = client.post(url, {**opened, "body": "My edit.", "seen_revision": "2", "_workflow": "publish"})
    post.refresh_from_db()
    assert response.status_code == 302 and post.body == "My edit." and post.status == PostStatus.PUBLISHED


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_only_editors_see_post_admin(client, role_users, make_post, role):
    post = make_post()
    client = _client_for(client, role_users[role])
    status = client.get(reverse("admin:curation_post_change", args=[post.pk])).status_code
    preview = client.get(reverse("admin:curation_post_preview", args=[post.pk])).status_code
    if role in ("editor", "superuser"):
        assert status == 200 and preview == 200
    elif role in ("anonymous", "reader"):
        assert status == 302 and preview == 302
    else:
        assert status == 403 and preview == 403


def test_schedule_through_the_admin_and_bad_time_is_reported(client, make_post, editor):
    post = make_post()
    client.force_login(editor)
    url = reverse("admin:curation_post_change", args=[post.pk])
    response = client.post(url, change_form_data(post, _workflow="schedule", workflow_publish_at="tomorrow-ish"))
    assert "Enter a date and time (YYYY-MM-DD HH:MM)." in response.content.decode()
    response = client.post(url, change_form_data(post, _workflow="schedule"))
    assert "Give the date and time to publish it." in response.content.decode()
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    response = client.post(url, change_form_data(post, _workflow="schedule", workflow_publish_at="2030-01-02T03:04"))
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.publish_at.year == 2030
    page = client.get(url).content.decode()
    assert "(goes live 2030-01-0" in page
    response = client.post(url, change_form_data(post, _workflow="archive"), follow=True)
    assert "Cannot archive post" in response.content.decode() or "cannot archive post" in response.content.decode()


def test_post_sitemap_lists_published_posts_only(make_post, editor):
    from curation.editorial.sitemaps import PostSitemap

    published = make_post("In the sitemap")
    services.publish(published, user=editor)
    make_post("Draft, not in the sitemap")
    assert [PostSitemap().location(p) for p in PostSitemap().items()] == ["/news/in-the-sitemap/"]


def test_byline_credits_accounts_and_names_and_cover_image_has_its_alt_text(
    client, make_post, editor, settings, tmp_path
):
    import base64

    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    editor.first_name, editor.last_name = "Grace", "Hopper"
    editor.save()
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    post = Post(
        kind=PostKind.NEWS,
        title="Credited",
        author_names="Ada Lovelace",
        cover_image=SimpleUploadedFile("cover.png", png, content_type="image/png"),
        cover_image_alt="A single pixel",
    )
    services.save_post(post, user=editor, authors=[editor])
    services.publish(post, user=editor)
    html = client.get(post.get_absolute_url()).content.decode()
    assert "By Ada Lovelace &amp; Grace Hopper" in html
    assert f'<img class="post-cover" src="/media/{post.cover_image.name}" alt="A single pixel">' in html
    assert post.revisions.get().metadata["cover_image"] == post.cover_image.name


def test_malformed_admin_address_is_not_found_not_an_error(client, make_post, role_users):
    post = make_post()
    client.force_login(role_users["superuser"])
    # A relative image in a previewed body resolves to such an address.
    response = client.get(f"/admin/curation/post/{post.pk}/preview/x", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/admin/"
