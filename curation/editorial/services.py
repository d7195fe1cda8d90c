"""Editorial services: saving posts with revisions, the review/publish workflow, scheduling,
restoring revisions, diffs and signed preview links.

Admin views, public views, the Celery task and the importer only call these functions. Every
function that changes what readers see records a data change in the same transaction.
Permissions are checked here, so they hold whatever the entry point:
  - writing posts needs `curation.change_post` (the Editor role);
  - publishing, scheduling, unscheduling, archiving need `curation.publish_post` (Editors and
    superusers only; curators, reviewers and readers never have it).
"""

from __future__ import annotations

import copy
import datetime
import difflib
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Max, Q
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify

from curation import upstream_query
from curation.charts.published import get_chart
from curation.conf import app_settings
from curation.datachanges import record_data_change
from curation.editorial.errors import EditorialPermissionDenied, EmbedProblems, IllegalTransition, InvalidPost
from curation.editorial.queries import published_posts
from curation.editorial.rendering import render_markdown
from curation.models import (
    HOME_PAGE_SLUG,
    Post,
    PostKind,
    PostRevision,
    PostStatus,
    PostStatusChange,
    PostTag,
)

EDIT_PERMISSION = "curation.change_post"
# The URL name of a fixed page (curation.editorial.urls), the catch-all at /<slug>/.
PAGE_URL_NAME = "page"
PUBLISH_PERMISSION = "curation.publish_post"


# --- permissions ----------------------------------------------------------------------------
def can_edit(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(EDIT_PERMISSION))


def can_publish(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(PUBLISH_PERMISSION))


def _require(user, check, doing: str, post: Post | None = None) -> None:
    if not check(user):
        who = getattr(user, "get_username", lambda: "an anonymous visitor")() or "an anonymous visitor"
        where = f" post {post.title!r}" if post is not None else " posts"
        raise EditorialPermissionDenied(f"{who} may not {doing}{where}: this needs the Editor role")


# --- what may go live -----------------------------------------------------------------------
# Statuses whose content readers see now or will see without another editor's step.
GOES_LIVE = frozenset({PostStatus.PUBLISHED, PostStatus.SCHEDULED})


def publication_problems(post: Post) -> list[str]:
    """Why `post` may not go live as it now is (an empty list when it may).

    One sentence per embed that cannot show what it should, naming its line, its text and the
    reason, e.g. `line 3, {% chart "nope" %}: unknown chart key 'nope' (known charts: ...)`.
    """
    return [problem.describe() for problem in render_markdown(post.body, post=post).embed_problems]


def refuse_if_not_publishable(post: Post, verb: str) -> None:
    """Raise EmbedProblems (naming each embed and why) if `post` may not go live as it is."""
    problems = publication_problems(post)
    if problems:
        count = f"{len(problems)} embed{'s' if len(problems) != 1 else ''}"
        raise EmbedProblems(
            f"cannot {verb} post {post.title!r} until {count} {'is' if len(problems) == 1 else 'are'} fixed: "
            + "; ".join(problems),
            problems,
        )


# --- saving and revisions -------------------------------------------------------------------
def check_post(post: Post) -> None:
    """Raise InvalidPost if `post` could not be saved as it is (title, address); changes nothing."""
    _validate(copy.copy(post))


def _validate(post: Post) -> None:
    post.title = (post.title or "").strip()
    if not post.title:
        raise InvalidPost("a post needs a title")
    if post.kind not in PostKind.values:
        raise InvalidPost(f"post {post.title!r}: kind {post.kind!r} is not one of {', '.join(PostKind.values)}")
    post.slug = slugify(post.slug or post.title)[:200]
    if not post.slug:
        raise InvalidPost(f"post {post.title!r}: cannot make a web address (slug) from the title; give one")
    clash = Post.objects.filter(kind=post.kind, slug=post.slug).exclude(pk=post.pk).first()
    if clash:
        raise InvalidPost(
            f"post {post.title!r}: the address {post.get_absolute_url()} is already used by {clash.title!r}"
        )
    if post.kind == PostKind.PAGE and post.slug != HOME_PAGE_SLUG:
        _refuse_taken_page_address(post)


def _refuse_taken_page_address(post: Post) -> None:
    """A page lives at /<slug>/: that address must not belong to another part of the site."""
    address = post.get_absolute_url()
    try:
        match = resolve(address)
    except Resolver404:
        return
    if match.url_name != PAGE_URL_NAME:
        raise InvalidPost(
            f"page {post.title!r}: the address {address} belongs to another part of the site; choose another slug"
        )


def set_tags(post: Post, names) -> None:
    tags = []
    for name in names:
        name = str(name).strip()
        if not name or not slugify(name):
            continue
        tag = PostTag.objects.filter(slug=slugify(name)[:80]).first()
        if tag is None:
            tag = PostTag.objects.create(name=name[:80], slug=slugify(name)[:80])
        tags.append(tag)
    post.tags.set(tags)


def snapshot_metadata(post: Post) -> dict:
    return {
        "kind": post.kind,
        "slug": post.slug,
        "date": post.date.isoformat() if post.date else None,
        "author_names": post.author_names,
        "author_ids": sorted(post.authors.values_list("pk", flat=True)),
        "tags": sorted(post.tags.values_list("name", flat=True)),
        "cover_image": post.cover_image.name if post.cover_image else "",
        "cover_image_alt": post.cover_image_alt,
    }


def latest_revision_number(post: Post) -> int:
    """The number of the post's newest revision (0 before its first save)."""
    return post.revisions.aggregate(n=Max("number"))["n"] or 0


def record_revision(post: Post, *, user=None, comment: str = "") -> PostRevision:
    """Keep a snapshot of the post as it now is (call after the post and its tags are saved)."""
    Post.objects.select_for_update().filter(pk=post.pk).first()  # serialise revision numbers
    number = latest_revision_number(post) + 1
    return PostRevision.objects.create(
        post=post,
        number=number,
        title=post.title,
        description=post.description,
        body=post.body,
        metadata=snapshot_metadata(post),
        author=user if getattr(user, "pk", None) else None,
        comment=comment[:300],
    )


@transaction.atomic
def save_post(post: Post, *, user, tags=None, authors=None, comment: str = "") -> Post:
    """Create or update a post's content and keep a revision. Status is never changed here."""
    _require(user, can_edit, "edit", post if post.pk else None)
    return _save_post(post, user=user, tags=tags, authors=authors, comment=comment)


def _save_post(post: Post, *, user, tags=None, authors=None, comment: str = "", check_embeds: bool = True) -> Post:
    """Save content and keep a revision. Saving a published or scheduled post puts the content
    in front of readers, so (unless `check_embeds` is off, as for the importer, which reports
    instead) it is refused while an embed has a problem."""
    _validate(post)
    if check_embeds and post.status in GOES_LIVE:
        refuse_if_not_publishable(post, "save the " + PostStatus(post.status).label.lower())
    post.save()
    if tags is not None:
        set_tags(post, tags)
    if authors is not None:
        post.authors.set(authors)
    record_revision(post, user=user, comment=comment)
    if post.status == PostStatus.PUBLISHED:
        record_data_change(f"post edited: {post.kind}/{post.slug}", kept_in_history=True)
    return post


@transaction.atomic
def restore_revision(revision: PostRevision, *, user) -> Post:
    """Put an old revision's content back; this itself becomes a new revision."""
    post = Post.objects.select_for_update().get(pk=revision.post_id)
    _require(user, can_edit, "restore a revision of", post)
    meta = revision.metadata or {}
    post.title = revision.title
    post.description = revision.description
    post.body = revision.body
    post.slug = meta.get("slug", post.slug)
    if meta.get("date"):
        post.date = datetime.date.fromisoformat(meta["date"])
    post.author_names = meta.get("author_names", post.author_names)
    post.cover_image_alt = meta.get("cover_image_alt", post.cover_image_alt)
    if "cover_image" in meta:
        post.cover_image = meta["cover_image"]

    authors = None
    if "author_ids" in meta:
        authors = list(get_user_model().objects.filter(pk__in=meta["author_ids"]))
    return _save_post(
        post, user=user, tags=meta.get("tags"), authors=authors, comment=f"Restored revision {revision.number}"
    )


@dataclass
class DiffLine:
    kind: str  # "add", "remove", "context" or "header"
    text: str


def _revision_text(revision: PostRevision) -> list[str]:
    meta = revision.metadata or {}
    lines = [f"Title: {revision.title}", f"Description: {revision.description}"]
    for key in ("slug", "date", "author_names", "tags", "cover_image", "cover_image_alt"):
        value = meta.get(key)
        lines.append(
            f"{key.replace('_', ' ').capitalize()}: {', '.join(value) if isinstance(value, list) else value or ''}"
        )
    lines.append("")
    return lines + (revision.body or "").splitlines()


def diff_revisions(older: PostRevision, newer: PostRevision) -> list[DiffLine]:
    """A line diff of two revisions (metadata first, then the Markdown body)."""
    if older.post_id != newer.post_id:
        raise InvalidPost("can only compare two revisions of the same post")
    result = []
    for line in difflib.unified_diff(
        _revision_text(older),
        _revision_text(newer),
        fromfile=f"revision {older.number}",
        tofile=f"revision {newer.number}",
        lineterm="",
        n=3,
    ):
        if line.startswith(("---", "+++", "@@")):
            kind = "header"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "remove"
        else:
            kind = "context"
        result.append(DiffLine(kind, line))
    return result


# --- workflow -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    needs_publish_permission: bool
    verb: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({PostStatus.DRAFT}), PostStatus.IN_REVIEW, False, "submit for review"),
    "return_to_draft": Transition(frozenset({PostStatus.IN_REVIEW}), PostStatus.DRAFT, False, "return to draft"),
    "publish": Transition(
        frozenset({PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.SCHEDULED}), PostStatus.PUBLISHED, True, "publish"
    ),
    "schedule": Transition(frozenset({PostStatus.DRAFT, PostStatus.IN_REVIEW}), PostStatus.SCHEDULED, True, "schedule"),
    "unschedule": Transition(frozenset({PostStatus.SCHEDULED}), PostStatus.DRAFT, True, "unschedule"),
    "archive": Transition(frozenset({PostStatus.PUBLISHED}), PostStatus.ARCHIVED, True, "archive"),
    "unarchive": Transition(frozenset({PostStatus.ARCHIVED}), PostStatus.DRAFT, True, "take out of the archive"),
}
_READER_VISIBLE = {PostStatus.PUBLISHED}


def available_actions(post: Post, user) -> list[str]:
    """Workflow actions this user may take on this post now (for buttons)."""
    return [
        name
        for name, t in TRANSITIONS.items()
        if post.status in t.sources and can_edit(user) and (not t.needs_publish_permission or can_publish(user))
    ]


def _move(post: Post, target: str, *, user, comment: str, now) -> Post:
    before = post.status
    post.status = target
    if target == PostStatus.PUBLISHED:
        post.published_at = now
    post.save(update_fields=["status", "publish_at", "published_at", "updated_at"])
    PostStatusChange.objects.create(
        post=post,
        from_status=before,
        to_status=target,
        at=now,
        comment=comment[:300],
        user=user if getattr(user, "pk", None) else None,
    )
    if (before in _READER_VISIBLE) != (target in _READER_VISIBLE):
        record_data_change(f"post {target}: {post.kind}/{post.slug}", kept_in_history=True)
    return post


@transaction.atomic
def transition(post: Post, action: str, *, user, comment: str = "", publish_at=None, now=None) -> Post:
    """Apply one workflow action (see TRANSITIONS) for `user`; raises EditorialError subclasses."""
    if action not in TRANSITIONS:
        raise IllegalTransition(f"unknown action {action!r} (actions: {', '.join(TRANSITIONS)})")
    step = TRANSITIONS[action]
    post = Post.objects.select_for_update().get(pk=post.pk)
    _require(user, can_edit, step.verb, post)
    if step.needs_publish_permission:
        _require(user, can_publish, step.verb, post)
    if post.status not in step.sources:
        allowed = ", ".join(PostStatus(s).label.lower() for s in sorted(step.sources))
        raise IllegalTransition(
            f"cannot {step.verb} post {post.title!r}: it is {PostStatus(post.status).label.lower()}, "
            f"and only a post that is {allowed} can be"
        )
    now = now or timezone.now()
    if step.target in GOES_LIVE:
        refuse_if_not_publishable(post, step.verb)
    if action == "schedule":
        if publish_at is None:
            raise InvalidPost(f"cannot schedule post {post.title!r}: give the date and time to publish it")
        if timezone.is_naive(publish_at):
            publish_at = timezone.make_aware(publish_at)
        post.publish_at = publish_at
    elif action == "unschedule":
        post.publish_at = None
    return _move(post, step.target, user=user, comment=comment, now=now)


def submit_for_review(post, *, user, comment=""):
    return transition(post, "submit", user=user, comment=comment)


def publish(post, *, user, comment="", now=None):
    return transition(post, "publish", user=user, comment=comment, now=now)


def schedule(post, *, user, publish_at, comment=""):
    return transition(post, "schedule", user=user, publish_at=publish_at, comment=comment)


def archive(post, *, user, comment=""):
    return transition(post, "archive", user=user, comment=comment)


def publish_due_posts(now=None) -> list[Post]:
    """Publish every scheduled post whose `publish_at` has come (the beat task calls this).

    Rows are locked and skipped if another worker holds them, so two beats never double-publish.
    A due post whose embeds broke since it was scheduled (a chart retired, a model withdrawn) is
    not published: it goes back to draft, and its workflow history says which embed and why.
    """
    now = now or timezone.now()
    published = []
    with transaction.atomic():
        due = list(
            Post.objects.select_for_update(skip_locked=True)
            .filter(status=PostStatus.SCHEDULED, publish_at__lte=now)
            .order_by("publish_at", "pk")
        )
        for post in due:
            problems = publication_problems(post)
            if problems:
                post.publish_at = None
                _move(
                    post,
                    PostStatus.DRAFT,
                    user=None,
                    now=now,
                    comment=f"Not published as scheduled: {'; '.join(problems)}",
                )
                continue
            published.append(_move(post, PostStatus.PUBLISHED, user=None, comment="Published as scheduled", now=now))
    return published


# --- reading --------------------------------------------------------------------------------
# `{% index ... models="a, b" ... %}` embeds and links to a model's page or a comparison.
_INDEX_EMBED_MODELS = re.compile(r'\{%\s*index\b[^%]*?\bmodels\s*=\s*"([^"]*)"')
_COMPARE_LINK = re.compile(r"/compare/\?models=([^)\s\"'#]+)")
# A name shorter than this is too common a word to count as a mention (e.g. "Yi", "GLM").
MENTION_MIN_NAME_LENGTH = 5


def articles_about(ai_model) -> list[Post]:
    """Published news and guides that embed `ai_model` (an `{% index %}` naming it), link to its
    page or a comparison with it, or mention its name as a word, newest first."""
    slug, name = ai_model.slug, ai_model.name
    stem = (ai_model.upstream_filename or "").rsplit(".", 1)[0]
    terms = Q(body__icontains=f"/models/{slug}/") | Q(body__icontains=slug)
    if stem:
        terms |= Q(body__icontains=stem)
    if len(name) >= MENTION_MIN_NAME_LENGTH:
        terms |= Q(body__contains=name)
    mention = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])") if len(name) >= MENTION_MIN_NAME_LENGTH else None

    def is_about(body: str) -> bool:
        if f"/models/{slug}/" in body or (mention and mention.search(body)):
            return True
        for found in _INDEX_EMBED_MODELS.findall(body):
            if any(upstream_query.is_named(ai_model, term) for term in found.split(",") if term.strip()):
                return True
        return any(slug in found.split(",") for found in _COMPARE_LINK.findall(body))

    candidates = published_posts().filter(terms).only("kind", "slug", "title", "date", "body", "published_at")
    return [post for post in candidates if is_about(post.body)]


# --- signed preview links -------------------------------------------------------------------
PREVIEW_SALT = "curation.editorial.preview"


class InvalidPreviewLink(Exception):
    pass


def preview_max_age() -> int:
    """Lifetime of a signed draft-preview link, in seconds (OSAI_PREVIEW_LINK_MAX_AGE)."""
    return int(app_settings.OSAI_PREVIEW_LINK_MAX_AGE)


def make_preview_token(post: Post) -> str:
    return signing.dumps({"post": post.pk}, salt=PREVIEW_SALT)


def post_for_preview_token(token: str, *, max_age: int | None = None) -> Post:
    """The post a signed preview link points at; InvalidPreviewLink when forged or expired."""
    try:
        payload = signing.loads(token, salt=PREVIEW_SALT, max_age=max_age if max_age is not None else preview_max_age())
    except signing.SignatureExpired as exc:
        raise InvalidPreviewLink("this preview link has expired; ask the editor for a new one") from exc
    except signing.BadSignature as exc:
        raise InvalidPreviewLink("this preview link is not valid") from exc
    post = Post.objects.filter(pk=payload.get("post")).first()
    if post is None:
        raise InvalidPreviewLink("the post of this preview link no longer exists")
    return post


# `{% chart "key" %}` or `{% chart key="key" %}` in a post's Markdown (curation.editorial.embeds).
_CHART_EMBED = re.compile(r"""\{%\s*chart\s+(?:key\s*=\s*)?["']([^"']+)["']""")


def share_image(post: Post) -> tuple[str, str]:
    """(address, text) of a post's link-preview picture: the PNG of its first embedded chart that
    is published, else its cover picture; ("", "") when it has neither (the site's card is used)."""
    for key in _CHART_EMBED.findall(post.body):
        chart = get_chart(key)
        if chart is not None:
            return chart.png_url, chart.alt_text
    if post.cover_image:
        return post.cover_image.url, post.cover_image_alt
    return "", ""
