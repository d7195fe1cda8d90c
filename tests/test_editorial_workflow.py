"""Editorial services: revisions, restore, diff, workflow, permissions, scheduling, preview links."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from curation.editorial import queries, services
from curation.editorial.errors import EditorialPermissionDenied, IllegalTransition, InvalidPost
from curation.models import DataChange, Post, PostKind, PostStatus, PostStatusChange

pytestmark = pytest.mark.django_db


# --- revisions ------------------------------------------------------------------------------
def test_every_save_keeps_a_revision_with_content_and_metadata(make_post, editor):
    post = make_post("First title", body="One", tags=["datasets"], author_names="Ada Lovelace")
    post.title, post.body = "Second title", "Two"
    services.save_post(post, user=editor, tags=["datasets", "weights"], comment="Reworded")

    revisions = list(post.revisions.order_by("number"))
    assert [(r.number, r.title, r.body) for r in revisions] == [(1, "First title", "One"), (2, "Second title", "Two")]
    assert revisions[0].metadata["tags"] == ["datasets"]
    assert revisions[1].metadata["tags"] == ["datasets", "weights"]
    assert revisions[1].metadata["author_names"] == "Ada Lovelace"
    assert revisions[1].author == editor and revisions[1].comment == "Reworded"


def test_restore_brings_old_content_back_as_a_new_revision(make_post, editor):
    post = make_post("Original", body="Original body", tags=["a"])
    post.title, post.body, post.slug = "Changed", "Changed body", "changed"
    services.save_post(post, user=editor, tags=["b"])

    services.restore_revision(post.revisions.get(number=1), user=editor)
    post.refresh_from_db()
    assert (post.title, post.body, post.slug) == ("Original", "Original body", "original")
    assert list(post.tags.values_list("name", flat=True)) == ["a"]
    newest = post.revisions.order_by("-number").first()
    assert newest.number == 3 and newest.comment == "Restored revision 1"
    assert post.revisions.count() == 3  # history is never rewritten


def test_diff_shows_removed_and_added_lines(make_post, editor):
    post = make_post("Diff me", body="line one\nline two\nline three")
    post.body = "line one\nline 2\nline three"
    services.save_post(post, user=editor)
    first, second = post.revisions.order_by("number")

    lines = services.diff_revisions(first, second)
    assert ("remove", "-line two") in [(d.kind, d.text) for d in lines]
    assert ("add", "+line 2") in [(d.kind, d.text) for d in lines]
    assert not [d for d in lines if d.kind in ("add", "remove") and "line one" in d.text]
    assert services.diff_revisions(first, first) == []


def test_slug_clash_is_refused_with_the_address(make_post, editor):
    make_post("Same name")
    with pytest.raises(InvalidPost, match="/news/same-name/ is already used"):
        make_post("Same name")
    # The same slug is fine for the other kind.
    assert make_post("Same name", kind=PostKind.GUIDE).slug == "same-name"


def test_empty_title_is_refused_and_nothing_written(editor):
    with pytest.raises(InvalidPost, match="needs a title"):
        services.save_post(Post(kind=PostKind.NEWS, title="  "), user=editor)
    assert not Post.objects.exists()


# --- workflow and permissions ---------------------------------------------------------------
def test_workflow_draft_review_publish_archive_is_logged(make_post, editor):
    post = make_post()
    services.submit_for_review(post, user=editor)
    services.publish(post, user=editor)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHED and post.published_at is not None
    assert Post.objects.public().filter(pk=post.pk).exists()
    services.archive(post, user=editor)
    post.refresh_from_db()
    assert post.status == PostStatus.ARCHIVED and not Post.objects.public().exists()
    steps = list(
        PostStatusChange.objects.filter(post=post).order_by("at", "pk").values_list("from_status", "to_status")
    )
    assert steps == [("draft", "in_review"), ("in_review", "published"), ("published", "archived")]


def test_illegal_transition_names_the_post_and_its_status(make_post, editor):
    post = make_post("Fresh draft")
    with pytest.raises(IllegalTransition, match="cannot archive post 'Fresh draft': it is draft"):
        services.archive(post, user=editor)
    with pytest.raises(IllegalTransition, match="unknown action"):
        services.transition(post, "explode", user=editor)


def test_publishing_records_a_data_change_for_page_caches(make_post, editor):
    post = make_post()
    before = DataChange.objects.count()
    services.publish(post, user=editor)
    assert DataChange.objects.count() == before + 1


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("anonymous", False),
        ("reader", False),
        ("curator", False),
        ("reviewer", False),
        ("editor", True),
        ("superuser", True),
    ],
)
def test_only_editors_and_superusers_may_publish(role_users, make_post, role, allowed):
    post = make_post()
    user = role_users[role]
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    assert services.can_publish(user) is allowed
    if allowed:
        services.publish(post, user=user)
        post.refresh_from_db()
        assert post.status == PostStatus.PUBLISHED
    else:
        with pytest.raises(EditorialPermissionDenied, match="Editor role"):
            services.publish(post, user=user)
        with pytest.raises(EditorialPermissionDenied):
            services.schedule(post, user=user, publish_at=timezone.now())
        post.refresh_from_db()
        assert post.status == PostStatus.DRAFT and not PostStatusChange.objects.filter(post=post).exists()


def test_curators_cannot_write_posts_either(role_users):
    with pytest.raises(EditorialPermissionDenied):
        services.save_post(Post(kind=PostKind.NEWS, title="Sneaky"), user=role_users["curator"])
    assert not Post.objects.exists()


# --- scheduling -----------------------------------------------------------------------------
def test_scheduled_post_goes_live_only_when_the_beat_task_runs_after_publish_at(make_post, editor):
    from curation.editorial.tasks import publish_scheduled_posts

    now = timezone.now()
    post = make_post("Embargoed")
    services.schedule(post, user=editor, publish_at=now + datetime.timedelta(hours=1))

    # Before publish_at: the task publishes nothing and readers see nothing.
    assert services.publish_due_posts(now=now) == []
    assert not Post.objects.public().exists()

    # publish_at has passed but the beat task has not run yet: still hidden.
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and not Post.objects.public().exists()

    # After publish_at the beat task publishes it.
    published = services.publish_due_posts(now=now + datetime.timedelta(hours=1, seconds=1))
    assert [p.pk for p in published] == [post.pk]
    assert list(Post.objects.public()) == [post]
    # Running again does nothing more (no double publishing, one logged step).
    assert publish_scheduled_posts() == []
    assert PostStatusChange.objects.filter(post=post, to_status=PostStatus.PUBLISHED).count() == 1


def test_beat_task_publishes_a_post_whose_time_is_in_the_past(make_post, editor):
    from curation.editorial.tasks import publish_scheduled_posts

    post = make_post()
    services.schedule(post, user=editor, publish_at=timezone.now() - datetime.timedelta(minutes=5))
    assert not Post.objects.public().exists()
    assert publish_scheduled_posts.apply().get() == [post.pk]  # in-process, with or without a broker
    assert Post.objects.public().get() == post


def test_the_beat_schedule_runs_the_publishing_task():
    from django.conf import settings

    from osai_index.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["publish-scheduled-posts"]
    assert entry["task"] in app.tasks  # registered when the worker imports curation.tasks


def test_scheduling_needs_a_time_and_unscheduling_returns_to_draft(make_post, editor):
    post = make_post()
    with pytest.raises(InvalidPost, match="give the date and time"):
        services.schedule(post, user=editor, publish_at=None)
    services.schedule(post, user=editor, publish_at=timezone.now() + datetime.timedelta(days=1))
    services.transition(post, "unschedule", user=editor)
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.publish_at is None
    assert services.publish_due_posts(now=timezone.now() + datetime.timedelta(days=2)) == []


# --- reading and preview links --------------------------------------------------------------
def test_latest_published_is_newest_first_and_skips_unpublished(make_post, editor):
    old = make_post("Old", date=datetime.date(2024, 1, 1))
    new = make_post("New", date=datetime.date(2025, 1, 1))
    make_post("Draft", date=datetime.date(2026, 1, 1))
    guide = make_post("Guide", kind=PostKind.GUIDE, date=datetime.date(2025, 6, 1))
    for post in (old, new, guide):
        services.publish(post, user=editor)
    assert queries.latest_published() == [guide, new, old]
    assert queries.latest_published(PostKind.NEWS, limit=1) == [new]


def test_preview_token_round_trip_forgery_and_expiry(make_post):
    post = make_post()
    token = services.make_preview_token(post)
    assert services.post_for_preview_token(token) == post
    with pytest.raises(services.InvalidPreviewLink, match="not valid"):
        services.post_for_preview_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    with pytest.raises(services.InvalidPreviewLink, match="expired"):
        services.post_for_preview_token(token, max_age=-1)


# --- nothing broken goes live ---------------------------------------------------------------
def test_publish_and_schedule_are_refused_naming_each_broken_embed(make_post, editor):
    from curation.editorial.errors import EmbedProblems

    post = make_post("Broken", body='Text\n\n{% chart "nope" %}\n\n{% index view="carousel" %}\n')
    with pytest.raises(EmbedProblems) as refused:
        services.publish(post, user=editor)
    assert str(refused.value).startswith(
        "cannot publish post 'Broken' until 2 embeds are fixed: line 3, {% chart \"nope\" %}: unknown chart key 'nope'"
    )
    assert (
        refused.value.problems[1]
        == "line 5, {% index view=\"carousel\" %}: index embed: view 'carousel' is not one of grid, table"
    )
    with pytest.raises(EmbedProblems, match="cannot schedule post 'Broken' until 2 embeds"):
        services.schedule(post, user=editor, publish_at=timezone.now() + datetime.timedelta(days=1))
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and not PostStatusChange.objects.filter(post=post).exists()
    # Fixed, it goes live.
    post.body = "Text"
    services.save_post(post, user=editor)
    services.publish(post, user=editor)
    assert Post.objects.public().get() == post


def test_a_due_post_whose_embed_broke_goes_back_to_draft_with_the_reason(make_post, editor, make_ai_model):
    olmo = make_ai_model("OLMo", upstream_filename="OLMo.yaml")
    post = make_post("Embargoed list", body='{% index models="OLMo" %}')
    now = timezone.now()
    services.schedule(post, user=editor, publish_at=now + datetime.timedelta(hours=1))
    olmo.is_public = False  # withdrawn while the post waited
    olmo.save()
    assert services.publish_due_posts(now=now + datetime.timedelta(hours=2)) == []
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT and post.publish_at is None and not Post.objects.public().exists()
    step = post.status_changes.first()
    assert (step.from_status, step.to_status) == (PostStatus.SCHEDULED, PostStatus.DRAFT)
    assert (
        step.comment
        == "Not published as scheduled: line 1, {% index models=\"OLMo\" %}: index embed: no public model matches 'OLMo'"
    )
